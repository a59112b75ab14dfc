package gladius.p2p.kcp.internal.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The relays this node asked to carry sessions to it (docs/PROTOCOL.md section 7), while it is
 * behind a NAT: at most {@code kcp.reservations}, chosen by the {@link SessionLayer} among the
 * relays it trusts. A RELAYED datagram that opens a session is accepted only from a relay held
 * here; any other peer's is dropped and counted. A RESERVE unanswered after a second is sent
 * again, up to three times; a refused or unanswered relay is left alone for a minute; a granted
 * reservation is renewed at half its lifetime, and forgotten with its relay's session. Event loop
 * only.
 */
final class Reservations {

    private static final long ANSWER_MILLIS = 1_000;
    private static final int ATTEMPTS = 3;
    private static final long REST_MILLIS = 60_000;

    /** One relay's reservation: asked when and how often, held until when, or left alone until when. */
    private static final class State {
        long askedAt = -1;
        int attempts;
        long heldUntil;
        long lifetime;
        long restUntil;
    }

    private final int wanted;
    private final Map<Peer, State> relays = new HashMap<>();

    Reservations(int wanted) {
        this.wanted = wanted;
    }

    /** Whether this node holds a live reservation with that relay. */
    boolean holds(Peer relay, long now) {
        State state = relays.get(relay);
        return state != null && now < state.heldUntil;
    }

    /**
     * Asks or renews where due. {@code candidates} are the relays this node trusts now (their
     * sessions established and direct), most wanted first; {@code behindNat}: a peer sees this node
     * at an address other than its own. Returns the relays to send a RESERVE to.
     */
    List<Peer> due(List<Peer> candidates, boolean behindNat, long now) {
        List<Peer> ask = new java.util.ArrayList<>();
        if (wanted == 0 || !behindNat) {
            return ask;
        }
        // Held, or asked for and not given up on: what counts toward kcp.reservations.
        int taken = 0;
        for (Peer relay : candidates) {
            State state = relays.get(relay);
            if (state != null && (now < state.heldUntil || state.askedAt >= 0)) {
                taken++;
            }
        }
        for (Peer relay : candidates) {
            State state = relays.computeIfAbsent(relay, unused -> new State());
            if (now < state.restUntil) {
                continue;
            }
            boolean holding = now < state.heldUntil;
            boolean renew = holding && now >= state.heldUntil - state.lifetime / 2;
            if (state.askedAt >= 0 && now - state.askedAt < ANSWER_MILLIS || (holding && !renew)) {
                continue; // an answer may still come, or nothing to do yet
            }
            if (state.askedAt >= 0 && !holding && state.attempts >= ATTEMPTS) {
                state.restUntil = now + REST_MILLIS; // no answer: a peer that says it relays, but does not
                state.attempts = 0;
                state.askedAt = -1;
                taken--;
                continue;
            }
            if (!holding && state.askedAt < 0) {
                if (taken >= wanted) {
                    continue;
                }
                taken++;
            }
            state.askedAt = now;
            state.attempts++;
            ask.add(relay);
        }
        return ask;
    }

    /** A relay's RESERVED: held for {@code seconds}, or refused (left alone for a while). */
    void answered(Peer relay, int status, int seconds, long now) {
        State state = relays.get(relay);
        if (state == null || state.askedAt < 0) {
            return; // not asked: an answer nobody wanted
        }
        state.askedAt = -1;
        state.attempts = 0;
        if (status == Datagram.RESERVED_OK && seconds > 0) {
            state.lifetime = seconds * 1000L;
            state.heldUntil = now + state.lifetime;
        } else {
            state.heldUntil = 0;
            state.restUntil = now + REST_MILLIS;
        }
    }

    /** The relay's session ended: its reservation with it. */
    void forget(Peer relay) {
        relays.remove(relay);
    }

    /** How many relays hold a reservation for this node now. */
    int held(long now) {
        int held = 0;
        for (State state : relays.values()) {
            if (now < state.heldUntil) {
                held++;
            }
        }
        return held;
    }
}
