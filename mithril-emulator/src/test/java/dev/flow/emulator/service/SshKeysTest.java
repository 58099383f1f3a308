package dev.flow.emulator.service;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A Quarkus test: Bouncy Castle registers itself once per JVM, from the application's class loader. */
@QuarkusTest
class SshKeysTest {

    @Test
    void parsesTheKeyTypesClientsUpload() {
        assertThat(SshKeys.parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIELbimNgrTbDc//wkvNQtO6Cl3QDbFDBSnfxBd0g2zTx user@host"))
                .isPresent();
        assertThat(SshKeys.parse(SshKeys.generate("c").publicKey())).isPresent();
        assertThat(SshKeys.parse("ssh-rsa notbase64")).isEmpty();
    }
}
