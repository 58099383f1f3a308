package dev.flow.submitter.service;

import dev.flow.model.money.Money;

/**
 * Where and what a task's bid asks for: the catalog entry chosen for the task.
 *
 * @param instanceTypeFid  the region's FID of the type (FIDs differ per region)
 * @param instanceTypeName Mithril's catalog name ({@code a100-80gb.sxm.1x})
 * @param displayName      the short name ({@code a100}), or the catalog name when there is none
 * @param marketPrice      the current spot price per instance-hour
 * @param capacity         instances available now in that region
 */
public record Placement(String instanceTypeFid, String instanceTypeName, String displayName, String region,
                        Money marketPrice, int capacity) {
}
