package gladius.p2p.ethstate.internal;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * scrypt (RFC 7914) for keystores. BouncyCastle's {@link SCrypt} is used whenever it accepts the
 * parameters; it refuses N of 2^16 or more when r is 1 (RFC 7914's bound on N), which is exactly
 * what geth writes (N = 2^18, r = 1) and what the Web3 Secret Storage test vector uses. For those,
 * ROMix is run here over BouncyCastle's PBKDF2 and Salsa20/8 core; a test checks both paths give
 * the same bytes where both apply.
 */
final class Scrypt {

    private Scrypt() {}

    static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int dkLength) {
        if (r > 1 || n < 65_536) {
            return SCrypt.generate(password, salt, n, r, p, dkLength);
        }
        return romixDerive(password, salt, n, r, p, dkLength);
    }

    /** RFC 7914 section 6, with ROMix written out; package-private so a test can compare it with BouncyCastle. */
    static byte[] romixDerive(byte[] password, byte[] salt, int n, int r, int p, int dkLength) {
        int blockInts = 32 * r;
        byte[] b = pbkdf2(password, salt, p * 128 * r);
        int[] x = new int[blockInts];
        int[] v = new int[blockInts * n];
        int[] scratch = new int[blockInts + 16];
        for (int i = 0; i < p; i++) {
            int offset = i * 128 * r;
            for (int k = 0; k < blockInts; k++) {
                x[k] = littleEndian(b, offset + 4 * k);
            }
            romix(x, v, scratch, n, r);
            for (int k = 0; k < blockInts; k++) {
                putLittleEndian(x[k], b, offset + 4 * k);
            }
        }
        return pbkdf2(password, b, dkLength);
    }

    private static void romix(int[] x, int[] v, int[] scratch, int n, int r) {
        int blockInts = 32 * r;
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, 0, v, i * blockInts, blockInts);
            blockMix(x, scratch, r);
        }
        for (int i = 0; i < n; i++) {
            int j = x[(2 * r - 1) * 16] & (n - 1); // Integerify: the low word of the last 64-byte chunk
            for (int k = 0; k < blockInts; k++) {
                x[k] ^= v[j * blockInts + k];
            }
            blockMix(x, scratch, r);
        }
    }

    /** BlockMix with Salsa20/8: chunks are mixed in a chain, then even ones go first and odd ones after. */
    private static void blockMix(int[] b, int[] scratch, int r) {
        int[] chunk = new int[16];
        int[] mixed = new int[16];
        System.arraycopy(b, (2 * r - 1) * 16, chunk, 0, 16);
        int[] y = new int[32 * r];
        for (int i = 0; i < 2 * r; i++) {
            for (int k = 0; k < 16; k++) {
                chunk[k] ^= b[i * 16 + k];
            }
            Salsa20Engine.salsaCore(8, chunk, mixed);
            System.arraycopy(mixed, 0, chunk, 0, 16);
            int to = (i % 2 == 0 ? i / 2 : r + i / 2) * 16;
            System.arraycopy(mixed, 0, y, to, 16);
        }
        System.arraycopy(y, 0, b, 0, 32 * r);
    }

    private static byte[] pbkdf2(byte[] password, byte[] salt, int length) {
        PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
        generator.init(password, salt, 1);
        return ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
    }

    private static int littleEndian(byte[] bytes, int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
    }

    private static void putLittleEndian(int value, byte[] bytes, int at) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
        bytes[at + 2] = (byte) (value >>> 16);
        bytes[at + 3] = (byte) (value >>> 24);
    }
}
