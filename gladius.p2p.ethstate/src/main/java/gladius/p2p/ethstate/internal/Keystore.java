package gladius.p2p.ethstate.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Reads Web3 Secret Storage v3 files, as geth and wallets write them: scrypt or PBKDF2 (HMAC-SHA256,
 * or HMAC-SHA512 as ethers also reads) to derive the key from the password in Unicode NFKC form
 * (as ethers normalizes it), keccak256(dk[16..31] ‖ ciphertext) as the MAC, AES-128-CTR for the secret.
 * KDF parameters are bounded so a hostile file cannot ask for unbounded memory or time.
 */
final class Keystore {

    private static final HexFormat HEX = HexFormat.of();
    /** scrypt needs n * r * 128 bytes; geth's default is 32 MiB, its "light" setting 4 MiB. */
    private static final long MAX_SCRYPT_MEMORY = 256L << 20;
    private static final int MAX_PBKDF2_ROUNDS = 10_000_000;

    private Keystore() {}

    /**
     * Decrypts a keystore's private key.
     *
     * @param json the file's text
     * @param password its password
     * @return the 32-byte private key
     * @throws IllegalArgumentException saying what is wrong: not a v3 keystore, an unsupported
     *     KDF or cipher, a parameter out of bounds, or a MAC mismatch (wrong password)
     */
    static byte[] decrypt(String json, String password) {
        Map<?, ?> file = object(Json.parse(json), "the keystore");
        if (integer(file.get("version"), "version") != 3) {
            throw new IllegalArgumentException("only version 3 keystores are supported, this is version " + file.get("version"));
        }
        Object cryptoNode = file.containsKey("crypto") ? file.get("crypto") : file.get("Crypto");
        Map<?, ?> crypto = object(cryptoNode, "crypto");
        String cipher = text(crypto.get("cipher"), "crypto.cipher");
        if (!cipher.equals("aes-128-ctr")) {
            throw new IllegalArgumentException("crypto.cipher must be aes-128-ctr, not " + cipher);
        }
        byte[] iv = hex(object(crypto.get("cipherparams"), "crypto.cipherparams").get("iv"), "crypto.cipherparams.iv");
        byte[] ciphertext = hex(crypto.get("ciphertext"), "crypto.ciphertext");
        byte[] mac = hex(crypto.get("mac"), "crypto.mac");
        Map<?, ?> params = object(crypto.get("kdfparams"), "crypto.kdfparams");
        byte[] salt = hex(params.get("salt"), "crypto.kdfparams.salt");
        int dkLength = integer(params.get("dklen"), "crypto.kdfparams.dklen");
        if (dkLength < 32 || dkLength > 64 || iv.length != 16) {
            throw new IllegalArgumentException("crypto.kdfparams.dklen must be 32 to 64 and the iv 16 bytes");
        }
        // NFKC first, as ethers does, so a password typed in either Unicode form opens the file.
        byte[] passwordBytes = Normalizer.normalize(password, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
        String kdf = text(crypto.get("kdf"), "crypto.kdf");
        byte[] derived = switch (kdf) {
            case "scrypt" -> {
                int n = integer(params.get("n"), "crypto.kdfparams.n");
                int r = integer(params.get("r"), "crypto.kdfparams.r");
                int p = integer(params.get("p"), "crypto.kdfparams.p");
                if (n < 2 || Integer.bitCount(n) != 1 || r < 1 || p < 1 || p > 64 || (long) n * r * 128 > MAX_SCRYPT_MEMORY) {
                    throw new IllegalArgumentException("scrypt parameters out of bounds: n=" + n + " r=" + r + " p=" + p
                            + " (n must be a power of two, and n * r * 128 bytes at most " + MAX_SCRYPT_MEMORY + ")");
                }
                yield Scrypt.derive(passwordBytes, salt, n, r, p, dkLength);
            }
            case "pbkdf2" -> {
                String prf = text(params.get("prf"), "crypto.kdfparams.prf");
                int rounds = integer(params.get("c"), "crypto.kdfparams.c");
                Digest hmacOf = switch (prf) {
                    case "hmac-sha256" -> new SHA256Digest();
                    case "hmac-sha512" -> new SHA512Digest();
                    default -> throw new IllegalArgumentException("crypto.kdfparams.prf must be hmac-sha256 or hmac-sha512, not " + prf);
                };
                if (rounds < 1 || rounds > MAX_PBKDF2_ROUNDS) {
                    throw new IllegalArgumentException("crypto.kdfparams.c must be 1 to " + MAX_PBKDF2_ROUNDS + ", not " + rounds);
                }
                PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(hmacOf);
                generator.init(passwordBytes, salt, rounds);
                yield ((KeyParameter) generator.generateDerivedParameters(dkLength * 8)).getKey();
            }
            default -> throw new IllegalArgumentException("crypto.kdf must be scrypt or pbkdf2, not " + kdf);
        };
        byte[] expectedMac = Keccak.hash256(Arrays.copyOfRange(derived, 16, 32), ciphertext);
        if (!MessageDigest.isEqual(expectedMac, mac)) {
            throw new IllegalArgumentException("the keystore's MAC does not match: wrong password, or a damaged file");
        }
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Arrays.copyOf(derived, 16), "AES"), new IvParameterSpec(iv));
            byte[] privateKey = aes.doFinal(ciphertext);
            if (privateKey.length != 32) {
                throw new IllegalArgumentException("the keystore holds " + privateKey.length + " bytes, not a 32-byte key");
            }
            checkAddress(file.get("address"), privateKey);
            return privateKey;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-CTR is not available in this JDK", e);
        }
    }

    /** A keystore that names its address must name the key's. */
    private static void checkAddress(Object address, byte[] privateKey) {
        if (address == null) {
            return;
        }
        byte[] actual = Secp256k1.KeyPair.of(new BigInteger(1, privateKey)).address();
        if (!Arrays.equals(Addresses.parse(text(address, "address")), actual)) {
            throw new IllegalArgumentException("the keystore's address field does not match its key");
        }
    }

    private static Map<?, ?> object(Object node, String what) {
        if (node instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalArgumentException(what + " must be a JSON object");
    }

    private static String text(Object node, String what) {
        if (node instanceof String s) {
            return s.toLowerCase(Locale.ROOT);
        }
        throw new IllegalArgumentException(what + " must be a string");
    }

    private static byte[] hex(Object node, String what) {
        String digits = text(node, what);
        try {
            return HEX.parseHex(digits.startsWith("0x") ? digits.substring(2) : digits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " must be hex", e);
        }
    }

    private static int integer(Object node, String what) {
        if (node instanceof BigDecimal number) {
            try {
                return number.intValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(what + " must be a whole number in range", e);
            }
        }
        throw new IllegalArgumentException(what + " must be a number");
    }
}
