package dev.flow.emulator.service;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Optional;

/** OpenSSH key parsing and generation (Apache MINA SSHD). */
public final class SshKeys {

    /** A generated pair in OpenSSH text form. */
    public record Generated(String publicKey, String privateKey) {
        @Override
        public String toString() {
            return "Generated[publicKey=" + publicKey + "]";
        }
    }

    private SshKeys() {
    }

    public static Optional<PublicKey> parse(String openSshPublicKey) {
        try {
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(openSshPublicKey.trim()).resolvePublicKey(null, null, null);
            return Optional.ofNullable(key);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static Generated generate(String comment) {
        try {
            KeyPair pair = KeyUtils.generateKeyPair("ssh-rsa", 2048);
            String publicKey = PublicKeyEntry.toString(pair.getPublic()) + " " + comment;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
            return new Generated(publicKey, out.toString(StandardCharsets.UTF_8));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an SSH key pair", e);
        }
    }
}
