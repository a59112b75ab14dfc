package gladius.p2p.ethstate.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.junit.jupiter.api.Test;

/** Every vector of ../shared/ETH-VECTORS.md, by its id, plus the keystore vectors of the Web3 Secret Storage Definition. */
class EthereumVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String digits) {
        return HEX.parseHex(digits);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void k1K2KeccakIsNotSha3() {
        assertEquals("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", HEX.formatHex(Keccak.hash256()));
        assertEquals("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", HEX.formatHex(Keccak.hash256(utf8("abc"))));
    }

    @Test
    void e1PersonalMessageHash() {
        assertEquals("a080337ae51c4e064c189e113edd0ba391df9206e2f49db658bb32cf2911730b",
                HEX.formatHex(Secp256k1.personalMessageHash(utf8("Hello Joe"))));
    }

    @Test
    void e2AddressAndPersonalSignByteForByte() {
        Secp256k1.KeyPair key = Secp256k1.KeyPair.of(new BigInteger("1da6847600b0ee25e9ad9a52abbd786dd2502fa4005dd5af9310b7cc7a3b25db", 16));
        assertEquals("0x71CB05EE1b1F506fF321Da3dac38f25c0c9ce6E1", Addresses.checksummed(key.address()));
        byte[] hash = Secp256k1.personalMessageHash(utf8("Hello World"));
        assertEquals("a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2", HEX.formatHex(hash));
        byte[] signature = key.sign(hash);
        assertEquals("14280e5885a19f60e536de50097e96e3738c7acae4e9e62d67272d794b8127d31c03d9cd59781d4ee31fb4e1b893bd9b020ec67dfa65cfb51e2bdadbb1de26d91c",
                HEX.formatHex(signature));
        assertArrayEquals(key.address(), Secp256k1.recoverAddress(hash, signature).orElseThrow());
    }

    @Test
    void e3PrivateKeyOne() {
        assertEquals("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", Addresses.checksummed(Secp256k1.KeyPair.of(BigInteger.ONE).address()));
    }

    @Test
    void g1RecoverThePublicKey() {
        byte[] hash = hex("ce0677bb30baa8cf067c88db9811f4333d131bf8bcf12fe7065d211dce971008");
        byte[] signature = hex("90f27b8b488db00b00606796d2987f6a5f59ae62ea05effe84fef5b8b0e549984a691139ad57a3f0b906637673aa2f63d1f55cb1a69199d4009eea23ceaddc9301");
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        byte[] recovered = Secp256k1.recover(hash, r, s, signature[64]).orElseThrow().getEncoded(false);
        assertEquals("04e32df42865e97135acfb65f3bae71bdc86f4d49150ad6a440b6f15878109880a0a2b2667f7e725ceea70c673093bf67663e0312623c8e091b13cf2c0f11ef652",
                HEX.formatHex(recovered));
        // The same signature in Ethereum's 27/28 form recovers the same address.
        byte[] ethereumForm = signature.clone();
        ethereumForm[64] += 27;
        assertArrayEquals(Secp256k1.address(Secp256k1.DOMAIN.getCurve().decodePoint(recovered)),
                Secp256k1.recoverAddress(hash, ethereumForm).orElseThrow());
    }

    @Test
    void g2AMalleableSignatureIsRejectedBecauseOfItsHighS() {
        byte[] signature = hex("638a54215d80a6713c8d523a6adc4e6e73652d859103a36b700851cb0e61b66b8ebfc1a610c57d732ec6e0a8f06a9a7a28df5051ece514702ff9cdff0b11f454");
        byte[] publicKey = hex("03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138");
        byte[] hash = hex("d301ce462d3e639518f482c7f03821fec1e602018630ce621e1e7851c12343a6");
        assertFalse(Secp256k1.verify(hash, signature, publicKey));

        // Plain ECDSA accepts it: the low-s rule is what refuses it.
        ECDSASigner plain = new ECDSASigner();
        plain.init(false, new ECPublicKeyParameters(Secp256k1.DOMAIN.getCurve().decodePoint(publicKey), Secp256k1.DOMAIN));
        assertTrue(plain.verifySignature(hash, new BigInteger(1, Arrays.copyOfRange(signature, 0, 32)),
                new BigInteger(1, Arrays.copyOfRange(signature, 32, 64))));
        byte[] withV = Arrays.copyOf(signature, 65);
        withV[64] = 27;
        assertEquals(Secp256k1.Check.HIGH_S, Secp256k1.checkForm(withV));
    }

    @Test
    void eip55ChecksumsAreCheckedWhenMixedCase() {
        byte[] address = Addresses.parse("0x71CB05EE1b1F506fF321Da3dac38f25c0c9ce6E1");
        assertArrayEquals(address, Addresses.parse("71cb05ee1b1f506ff321da3dac38f25c0c9ce6e1"));
        assertArrayEquals(address, Addresses.parse("0x71CB05EE1B1F506FF321DA3DAC38F25C0C9CE6E1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Addresses.parse("0x71cB05EE1b1F506fF321Da3dac38f25c0c9ce6E1"));
        assertTrue(e.getMessage().contains("EIP-55"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Addresses.parse("0x71CB05"));
    }

    @Test
    void keystoreVectorsDecryptWithPbkdf2AndScrypt() throws IOException {
        for (String file : new String[] {"/keystore-pbkdf2.json", "/keystore-scrypt.json"}) {
            byte[] key = Keystore.decrypt(resource(file), "testpassword");
            assertEquals("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d", HEX.formatHex(key), file);
        }
    }

    /**
     * A keystore as ethers writes it with {@code prf: hmac-sha512}, made here with the JDK's own
     * PBKDF2WithHmacSHA512 and AES (independent of the BouncyCastle code under test), from the NFKC
     * form of a password: the decomposed and the composed spelling of it both open it, as in ethers.
     */
    @Test
    void aPbkdf2HmacSha512KeystoreOpensWithThePasswordInEitherUnicodeForm() throws Exception {
        byte[] secret = hex("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
        byte[] salt = hex("ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd");
        byte[] iv = hex("6087dab2f9fdbbfaddc31a909735c1e6");
        String composed = "caf\u00e9 \u2460";      // é as one code point; a circled digit NFKC turns into "1"
        String decomposed = "cafe\u0301 \u2460";   // e + combining acute
        String nfkc = java.text.Normalizer.normalize(composed, java.text.Normalizer.Form.NFKC);
        javax.crypto.SecretKeyFactory pbkdf2 = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512");
        byte[] derived = pbkdf2.generateSecret(new javax.crypto.spec.PBEKeySpec(nfkc.toCharArray(), salt, 4096, 256)).getEncoded();
        javax.crypto.Cipher aes = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(Arrays.copyOf(derived, 16), "AES"),
                new javax.crypto.spec.IvParameterSpec(iv));
        byte[] ciphertext = aes.doFinal(secret);
        byte[] mac = Keccak.hash256(Arrays.copyOfRange(derived, 16, 32), ciphertext);
        String json = "{\"version\": 3, \"crypto\": {\"cipher\": \"aes-128-ctr\", \"cipherparams\": {\"iv\": \"" + HEX.formatHex(iv)
                + "\"}, \"ciphertext\": \"" + HEX.formatHex(ciphertext) + "\", \"kdf\": \"pbkdf2\", \"kdfparams\": {\"c\": 4096, "
                + "\"dklen\": 32, \"prf\": \"hmac-sha512\", \"salt\": \"" + HEX.formatHex(salt) + "\"}, \"mac\": \""
                + HEX.formatHex(mac) + "\"}}";
        assertArrayEquals(secret, Keystore.decrypt(json, composed));
        assertArrayEquals(secret, Keystore.decrypt(json, decomposed));
        assertArrayEquals(secret, Keystore.decrypt(json, nfkc));
        IllegalArgumentException prf = assertThrows(IllegalArgumentException.class,
                () -> Keystore.decrypt(json.replace("hmac-sha512", "hmac-md5"), composed));
        assertTrue(prf.getMessage().contains("prf"), prf.getMessage());
    }

    @Test
    void aWrongPasswordOrABrokenKeystoreIsAClearError() throws IOException {
        String pbkdf2 = resource("/keystore-pbkdf2.json");
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> Keystore.decrypt(pbkdf2, "nope"));
        assertTrue(wrong.getMessage().contains("wrong password"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Keystore.decrypt(pbkdf2.replace("\"version\": 3", "\"version\": 2"), "testpassword"));
        assertThrows(IllegalArgumentException.class, () -> Keystore.decrypt(pbkdf2.replace("262144", "1e9"), "testpassword"));
        assertThrows(IllegalArgumentException.class, () -> Keystore.decrypt("{\"version\": 3", "testpassword"));
        assertThrows(IllegalArgumentException.class, () -> Keystore.decrypt("[".repeat(10_000), "testpassword"));
    }

    @Test
    void scryptsOwnRomixMatchesBouncyCastleWhereBothApply() {
        byte[] password = utf8("pleaseletmein");
        byte[] salt = utf8("SodiumChloride");
        assertArrayEquals(org.bouncycastle.crypto.generators.SCrypt.generate(password, salt, 16384, 8, 1, 64),
                Scrypt.romixDerive(password, salt, 16384, 8, 1, 64));
        assertArrayEquals(org.bouncycastle.crypto.generators.SCrypt.generate(password, salt, 1024, 1, 2, 32),
                Scrypt.romixDerive(password, salt, 1024, 1, 2, 32));
        // RFC 7914 section 12, third vector.
        assertEquals("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
                HEX.formatHex(Scrypt.romixDerive(password, salt, 16384, 8, 1, 64)));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EthereumVectorsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
