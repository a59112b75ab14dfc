package gladius.p2p.kcp.internal.secure;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two Noise cipher functions a secure session may use, both in the JDK: {@code ChaChaPoly}
 * (ChaCha20-Poly1305, RFC 8439; pure Java before JDK 20's intrinsics) and {@code AESGCM}
 * (AES-256-GCM, which HotSpot runs on the CPU's AES and carry-less multiply instructions). They
 * differ only in the cipher and the nonce's byte order (Noise, section 12); the handshake name
 * carries the choice ({@code Noise_XX_25519_<cipher>_SHA256}), so two sides on different suites
 * never agree on a key. The dialer chooses; its first handshake message names the suite
 * (docs/PROTOCOL.md, section 6).
 */
public enum CipherSuite {
    CHACHA_POLY(1, "chacha20-poly1305", "ChaChaPoly", "ChaCha20-Poly1305", "ChaCha20"),
    AES_GCM(2, "aes-gcm", "AESGCM", "AES/GCM/NoPadding", "AES");

    /** The value of {@code kcp.cipher} that picks AES-GCM where the JVM runs AES on the CPU's instructions, else ChaCha20-Poly1305. */
    public static final String AUTO = "auto";

    private final int wireId;
    private final String setting;
    private final byte[] protocolName;
    private final String transformation;
    private final String keyAlgorithm;

    CipherSuite(int wireId, String setting, String noiseName, String transformation, String keyAlgorithm) {
        this.wireId = wireId;
        this.setting = setting;
        this.protocolName = ("Noise_XX_25519_" + noiseName + "_SHA256").getBytes(StandardCharsets.US_ASCII);
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
    }

    /** The value of {@code kcp.cipher} that names this suite, as {@code PeerState#cipher()} reports it. */
    public String setting() {
        return setting;
    }

    /** The byte that names this suite in a HELLO_SECURE. */
    public int wireId() {
        return wireId;
    }

    /** The suite a HELLO_SECURE names, if this version knows it. */
    public static Optional<CipherSuite> ofWire(int id) {
        for (CipherSuite suite : values()) {
            if (suite.wireId == id) {
                return Optional.of(suite);
            }
        }
        return Optional.empty();
    }

    /**
     * The suite {@code kcp.cipher} names: {@code aes-gcm}, {@code chacha20-poly1305} or
     * {@value #AUTO}; empty for anything else.
     */
    public static Optional<CipherSuite> ofSetting(String value) {
        String name = value.trim().toLowerCase(Locale.ROOT);
        if (name.equals(AUTO)) {
            return Optional.of(preferred());
        }
        for (CipherSuite suite : values()) {
            if (suite.setting.equals(name)) {
                return Optional.of(suite);
            }
        }
        return Optional.empty();
    }

    /**
     * AES-GCM unless this JVM says it runs AES without the CPU's instructions (HotSpot's
     * {@code UseAES}, which it turns off where the CPU has no AES instructions, or
     * {@code -XX:-UseAES} did), where ChaCha20-Poly1305 is the faster one. A JVM that does not
     * say gets AES-GCM. ({@code UseAESIntrinsics} itself is a diagnostic flag the management
     * interface does not show.)
     */
    public static CipherSuite preferred() {
        return Preferred.SUITE;
    }

    private static final class Preferred {
        static final CipherSuite SUITE = aesInstructions().orElse(true) ? AES_GCM : CHACHA_POLY;

        private static Optional<Boolean> aesInstructions() {
            try {
                return Optional.of(Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(
                        com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseAES").getValue()));
            } catch (RuntimeException notHotSpot) {
                return Optional.empty();
            }
        }
    }

    /** {@code Noise_XX_25519_<cipher>_SHA256}, the name the handshake hash starts from. */
    byte[] protocolName() {
        return protocolName.clone();
    }

    /** A cipher for this suite, not yet initialised; one per thread (a {@link Cipher} is not thread-safe). */
    Cipher newCipher() {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is part of every JDK 11+", e);
        }
    }

    SecretKeySpec key(byte[] key) {
        return new SecretKeySpec(key, keyAlgorithm);
    }

    /** Initialises {@code cipher} for one message under Noise's nonce {@code n} for this suite. */
    void init(Cipher cipher, int mode, SecretKeySpec key, long n) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        if (this == AES_GCM) {
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (n >>> (56 - 8 * i)); // 32 zero bits, then n big-endian
            }
            cipher.init(mode, key, new GCMParameterSpec(128, nonce));
        } else {
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (n >>> (8 * i)); // 32 zero bits, then n little-endian
            }
            cipher.init(mode, key, new IvParameterSpec(nonce));
        }
    }
}
