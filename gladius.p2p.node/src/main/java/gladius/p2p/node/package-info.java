/**
 * The {@code gladius} command line. {@link gladius.p2p.node.Main} sets up the plugin folder's
 * layer and runs the picocli commands; the classes named {@code *View} are the only ones that
 * touch a plugin's interface, and are used only when that plugin's module is present.
 */
package gladius.p2p.node;
