package gladius.p2p.pubsub;

import gladius.p2p.NodeAddress;

/**
 * A message of a topic as it reaches a handler or a validator.
 *
 * @param topic the topic
 * @param data the data; the handler's own copy
 * @param id the message's ID: SHA-256 of the topic's UTF-8, a zero byte, and the data (or, with
 *     {@code pubsub.message-id=author-sequence}, of the topic, the author and its sequence number)
 * @param from the peer that passed it to this node (this node's own address for its own
 *     messages); in a network with keys, {@code network.peerState(from)} has the key its session
 *     proved. Not necessarily the author: messages carry no signature yet.
 */
public record Delivery(String topic, byte[] data, byte[] id, NodeAddress from) {}
