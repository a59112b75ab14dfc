/** Topics: publish and subscribe across a network ({@link gladius.p2p.pubsub.PubSub}). */
package gladius.p2p.pubsub;
