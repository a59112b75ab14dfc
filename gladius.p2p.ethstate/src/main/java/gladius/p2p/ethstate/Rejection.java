package gladius.p2p.ethstate;

/**
 * Why an entry was not applied. Each is counted in {@link EthState#rejections()} when a received
 * entry fails, except {@link #STALE}; {@link EthState#putSigned} returns it for an entry offered
 * directly.
 */
public enum Rejection {
    /** The message or entry breaks the wire format, or a key or value is over its limit. */
    MALFORMED,
    /** The signature cannot be valid for any key: v is not 27 or 28, r or s is out of range, or no key recovers. */
    BAD_SIGNATURE,
    /** s is in the upper half of the curve order: a malleated signature (EIP-2). */
    HIGH_S,
    /** The signature is valid for another address than the entry claims (a forgery, or a tampered entry). */
    WRONG_SIGNER,
    /**
     * An older version of the entry held (same address and key): validly signed, so either an
     * honest relay that arrived after the newer version or a replay of a real old entry. The two
     * look alike and neither changes anything, so a received one is not an offence: it is counted
     * in {@link EthState#superseded()}, not in {@link EthState#rejections()}. Returned by
     * {@link EthState#putSigned}.
     */
    STALE,
    /** The timestamp is further ahead of this node's clock than {@code ethstate.max-clock-skew}. */
    FUTURE,
    /** The signer is not in {@code ethstate.allow}. */
    NOT_ALLOWED,
    /** A new (address, key) arrived while the store held {@code ethstate.max-entries}. */
    FULL
}
