package gladius.p2p.kcp.internal.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The handshake against the published vectors for both protocol names it runs, and what it refuses. */
class NoiseXXTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A test vector in the format of the Noise wiki's "Test vectors" page. */
    private record Vector(CipherSuite suite, String source, String prologue, String initStatic, String initEphemeral, String respStatic,
                          String respEphemeral, String handshakeHash, List<String[]> messages) {}

    /**
     * The Noise_XX_25519_ChaChaPoly_SHA256 and Noise_XX_25519_AESGCM_SHA256 entries of
     * cacophony's vectors/cacophony.txt (haskell-cryptography/cacophony) and of snow's
     * tests/vectors/snow.txt (mcginty/snow): payload, then the expected message; three handshake
     * messages, then transport messages alternating from the responder.
     */
    private static final List<Vector> VECTORS = List.of(
            new Vector(CipherSuite.CHACHA_POLY, "cacophony", "4a6f686e2047616c74",
                    "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
                    "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
                    "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
                    "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
                    "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
                    List.of(new String[] {"4c756477696720766f6e204d69736573",
                                    "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
                            new String[] {"4d757272617920526f746862617264",
                                    "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
                            new String[] {"462e20412e20486179656b",
                                    "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
                            new String[] {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
                            new String[] {"4a65616e2d426170746973746520536179", "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
                            new String[] {"457567656e2042f6686d20766f6e2042617765726b",
                                    "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"})),
            new Vector(CipherSuite.CHACHA_POLY, "snow", "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e6420626f72696e672e",
                    "7dec208517a3b81a2861d7a71266d5d6dc944c5a8816634a86fe63198a0148ee",
                    "a32daf21e93c0131495ce1d903181fde81cc46937daaeb990bae7c992709421e",
                    "4d0aed5098e3b4ef20357e9f686ce66204c792b358da2e475017d6c485304881",
                    "4eece0f195d026db035ff987597c429d3ad3bcc2944df37d649528951b2a27c5",
                    null,
                    List.of(new String[] {"d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
                                    "f9fa868ba97ab8a2686deccfaad5a484ee10a5bb85e3d1dce015a84797f92818d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34"},
                            new String[] {"d8190a92f7dc0c93dbea9118ba8055751fb7c6590c416ffbd419964132b99a85",
                                    "8c4e6fdb7d09d501a86f7eca5c234522751706ed409182c05cdf5f827d4dae47b81c6c5f43b025692c24391eefee725c17d8cb0fbe3e4abb8aedf42c4fd2592d4ea48ac08989d6ae8b4adae08b2c34087c808c7aa55a63c02b0fab9e930612336bd43eaea04d3c670a0a146691aa9cc9d357872320dc735dbc48580cffb553db"},
                            new String[] {"77891b19dcb92ef7c055b672c4a5aa7fdf1c84146b8b303459022729473ce254",
                                    "933ca6b5ed60df3df66121f0ab49a09e49efa45c613a86a3cecbf4c535cef2f83f72b42837b18e3572f2fdc2b74c331e2368a545cef54bdca081678ab0e9dd5348122459e0c034c851984d88ce610963d43cde6cfe73a67fbd5a63e8bfca96d0"},
                            new String[] {"d7efdf988072881941db045a42882433817555128fbf5663e56081712ec7d212",
                                    "54ef0ff0629e1aaa7685a2806ab111cba76b52331f2642276736f415868eacb69ab2577f3bda0cbf72f879685f6ed25f"},
                            new String[] {"dd7bf01a588bafb52c6cfba952e5d8fe35cc2b3f92b4730ae2474615157345ce",
                                    "356be70f110306d5c699bb834bb9d58d909e325924dfbec972e406e6f294dc63e1daebefe8a62a334facc8048ab4ad66"})),
            new Vector(CipherSuite.AES_GCM, "cacophony", "4a6f686e2047616c74",
                    "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
                    "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
                    "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
                    "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
                    "1b7aefb1125762aa21a252890d00af54519638b76437444538f9a52f21e2e0dc",
                    List.of(new String[] {"4c756477696720766f6e204d69736573",
                                    "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
                            new String[] {"4d757272617920526f746862617264",
                                    "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843757117acceb05bd7a45733bc22015c97a9d0cbaf41b80446d5988ff5127235d76b79eade70f473d6a4ef521fdcbeda5340d01e028ba793fc059f2724a83af05f12dda0448a7621a926b379a92477fd"},
                            new String[] {"462e20412e20486179656b",
                                    "c90f1cf77eba4e50edb038991565e36c9758943a989229b6051244dc4fbecb6946744b401af2ee1a5881b65fbb87fd07cb6a328ececc9ce6ce84c399dc332d4fd521fa4bb7f467ce909395"},
                            new String[] {"4361726c204d656e676572", "bc3fa77f6aca3e8466d7dc6bea10013e88a6a29add5132b461806c"},
                            new String[] {"4a65616e2d426170746973746520536179", "250b01074cdfe0df2ecf8ccbf1737b15a2ddb5b52fd9a396604e9c793cee3b3bb9"},
                            new String[] {"457567656e2042f6686d20766f6e2042617765726b",
                                    "449d4d433b3cdc3d02bf6fc881774b9df54366ebcffb9689bb13f14709822cd7ef42bcdb4d"})),
            new Vector(CipherSuite.AES_GCM, "snow", "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e6420626f72696e672e",
                    "67a147237ca2e511a5328abf44fc049e725d23ac193f1d5e8da60d543670cd39",
                    "b4dbfea92d1afb2ce4a508bd5e014d21ee95ced8d12346d226985d40b2da95e7",
                    "0e64a9143ba4c2bb79a25cd1c12575a9da949b52338b32fe1208e4b598c9acc0",
                    "c3142e465cafd8356330d7f910146c5428a524e723df165d76a2d5a697aa7e6d",
                    null,
                    List.of(new String[] {"09f6721fa79e976f05d523c07e4818bfad6903108a05734e3163cec30442fcf5",
                                    "c8a324f41408be37f760130b5a8f2c4e9c92bab229e9b78007aa43b7c7656b3409f6721fa79e976f05d523c07e4818bfad6903108a05734e3163cec30442fcf5"},
                            new String[] {"af62581a26fc31c4b722c1f04d73d845eb6daf35bcd64fc805a46a74bd747d90",
                                    "4e935a4c1dccaf91b78062590be1e790f984eeff2ab9a219e491387a99dbfe53b9ea4a0a1b78a30056a0615ef4cfcc5d5bcfa087abd07df701c08b2410ab385c490a43cd853a15a1d1e8162c25b78d362ff84afd1f02e0d0e8d25ada33fe5f8e8856cc49e9a896c1c10616508f52387ca29d35a037c7d1c968a45d07daf01667"},
                            new String[] {"bae081c11b0a050d08a48d4a2dd387bd927e18d12c1f2758ae712ec4e3948dc8",
                                    "72eb5f83ef7773b38886a657b2216368f76f51e90855aaec0c9cd65c7750c531b3ef8a9261065b9b73009e698c3e0e1e7153c64e842d877db5f0953c2a43f12bdee99b360ebc11ee64a2989bf8f486a45267753caf35ad5900224e9b04c4b5b2"},
                            new String[] {"062b027afab93baa74c7cdc1ac71b3486636bed142caec9f70f4dd672dbe120d",
                                    "9953df9aa4294b12364dd6896de6e705564a5583c67ed86f0b985054d63f4381bdb99faa8633893643d6ee3ba987344f"},
                            new String[] {"3000ff396f68e4d00ac10c97a4c14e5901e3245dc29f9a801427babd59bfc2a3",
                                    "d9ea28203c96f5ac9024541d8f05e5e9bbfedccf701d2a2130ddeada49446a546d03c3ed440558782120b95e537a229e"})));

    @Test
    void everyPublishedVectorForBothProtocolNamesMatchesByteForByte() {
        for (Vector v : VECTORS) {
            byte[] prologue = HEX.parseHex(v.prologue);
            NoiseXX initiator = new NoiseXX(true, v.suite, NoiseXX.KeyPair.fromPrivate(HEX.parseHex(v.initStatic)), prologue)
                    .withEphemeral(NoiseXX.KeyPair.fromPrivate(HEX.parseHex(v.initEphemeral)));
            NoiseXX responder = new NoiseXX(false, v.suite, NoiseXX.KeyPair.fromPrivate(HEX.parseHex(v.respStatic)), prologue)
                    .withEphemeral(NoiseXX.KeyPair.fromPrivate(HEX.parseHex(v.respEphemeral)));
            for (int i = 0; i < 3; i++) {
                NoiseXX writer = i % 2 == 0 ? initiator : responder;
                NoiseXX reader = i % 2 == 0 ? responder : initiator;
                byte[] message = writer.writeMessage(HEX.parseHex(v.messages.get(i)[0]), RANDOM).orElseThrow();
                assertEquals(v.messages.get(i)[1], HEX.formatHex(message), v.suite + " " + v.source + " handshake message " + i);
                assertEquals(v.messages.get(i)[0], HEX.formatHex(reader.readMessage(message).orElseThrow()), v.source + " payload " + i);
            }
            assertTrue(initiator.complete() && responder.complete(), v.source);
            assertArrayEquals(initiator.handshakeHash(), responder.handshakeHash());
            if (v.handshakeHash != null) {
                assertEquals(v.handshakeHash, HEX.formatHex(initiator.handshakeHash()), v.source);
            }
            assertArrayEquals(NoiseXX.KeyPair.fromPrivate(HEX.parseHex(v.respStatic)).publicKey(), initiator.remoteStatic().orElseThrow());
            assertArrayEquals(NoiseXX.KeyPair.fromPrivate(HEX.parseHex(v.initStatic)).publicKey(), responder.remoteStatic().orElseThrow());

            byte[][] initiatorKeys = initiator.split();
            byte[][] responderKeys = responder.split();
            long[] nonces = new long[2]; // per direction: [initiator sends, responder sends]
            for (int i = 3; i < v.messages.size(); i++) {
                boolean fromInitiator = i % 2 == 0;
                byte[] key = fromInitiator ? initiatorKeys[0] : responderKeys[0];
                byte[] receiveKey = fromInitiator ? responderKeys[1] : initiatorKeys[1];
                long nonce = nonces[fromInitiator ? 0 : 1]++;
                byte[] sealed = NoiseXX.seal(v.suite, key, nonce, new byte[0], HEX.parseHex(v.messages.get(i)[0]));
                assertEquals(v.messages.get(i)[1], HEX.formatHex(sealed), v.suite + " " + v.source + " transport message " + i);
                assertArrayEquals(HEX.parseHex(v.messages.get(i)[0]), NoiseXX.open(v.suite, receiveKey, nonce, new byte[0], sealed).orElseThrow());
            }
        }
    }

    @Test
    void aTamperedMessageFailsTheHandshakeAndLeavesNoPeerKey() {
        for (int flip : new int[] {0, 40, NoiseXX.MESSAGE_2 - 1}) {
            NoiseXX initiator = new NoiseXX(true, CipherSuite.AES_GCM, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
            NoiseXX responder = new NoiseXX(false, CipherSuite.AES_GCM, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
            responder.readMessage(initiator.writeMessage(new byte[0], RANDOM).orElseThrow()).orElseThrow();
            byte[] second = responder.writeMessage(new byte[0], RANDOM).orElseThrow();
            assertEquals(NoiseXX.MESSAGE_2, second.length);
            second[flip] ^= 1;
            assertEquals(Optional.empty(), initiator.readMessage(second));
            assertTrue(initiator.failed());
            assertTrue(initiator.remoteStatic().isEmpty());
            assertFalse(initiator.writesNext());
        }
        NoiseXX responder = new NoiseXX(false, CipherSuite.AES_GCM, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
        assertEquals(Optional.empty(), responder.readMessage(new byte[31]), "truncated");
    }

    @Test
    void sidesOnDifferentSuitesNeverAgreeOnAKey() {
        NoiseXX initiator = new NoiseXX(true, CipherSuite.AES_GCM, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
        NoiseXX responder = new NoiseXX(false, CipherSuite.CHACHA_POLY, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
        responder.readMessage(initiator.writeMessage(new byte[0], RANDOM).orElseThrow()).orElseThrow(); // e alone proves nothing
        assertEquals(Optional.empty(), initiator.readMessage(responder.writeMessage(new byte[0], RANDOM).orElseThrow()),
                "the handshake hash starts from the protocol name, so the first encrypted token fails");
        assertTrue(initiator.failed());
    }

    @Test
    void aLowOrderPublicKeyIsRefused() {
        NoiseXX initiator = new NoiseXX(true, CipherSuite.AES_GCM, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
        initiator.writeMessage(new byte[0], RANDOM);
        NoiseXX responder = new NoiseXX(false, CipherSuite.AES_GCM, NoiseXX.KeyPair.generate(RANDOM), new byte[0]);
        responder.readMessage(new byte[32]).orElseThrow(); // u = 0 is read as an ephemeral ...
        assertEquals(Optional.empty(), responder.writeMessage(new byte[0], RANDOM),
                "... but ee with it gives the all-zero secret, which is refused");
        assertTrue(responder.failed());
    }
}
