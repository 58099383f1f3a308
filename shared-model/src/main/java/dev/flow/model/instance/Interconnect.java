package dev.flow.model.instance;

import java.util.Locale;

/** GPU form factor / interconnect as named in Mithril instance types. */
public enum Interconnect {
    SXM, PCIE;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
