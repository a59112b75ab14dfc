package gladius.p2p.node;

import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Extra plugin jars from a folder (the image's {@code plugins/} by default), resolved into a
 * module layer of their own above the boot layer. Making that layer's loader the thread's
 * context loader is what lets {@code Network.create} (which uses {@code ServiceLoader} with the
 * context loader) find their providers along with those of the boot layer.
 */
final class PluginFolder {

    /** The environment variable that names another folder. */
    static final String ENV = "GLADIUS_PLUGINS";

    private PluginFolder() {}

    /**
     * The folder: $GLADIUS_PLUGINS, else {@code plugins/} beside {@code bin/} in the runtime image.
     *
     * @throws UserError if $GLADIUS_PLUGINS names something that is not a folder: a folder the user
     *     named and that is not there is a mistake, not an empty folder
     */
    static Path folder() {
        String env = System.getenv(ENV);
        if (env == null || env.isBlank()) {
            return Path.of(System.getProperty("java.home"), "plugins");
        }
        Path named = Path.of(env);
        if (!Files.isDirectory(named)) {
            throw new UserError("$" + ENV + " names " + named + ", which is not a folder");
        }
        return named;
    }

    /**
     * Loads the folder's jars, if there are any, and makes their layer the context loader.
     *
     * @return the names of the modules loaded
     * @throws UserError if a jar is broken or needs a module that is not there
     */
    static Set<String> load(Path folder) {
        if (!Files.isDirectory(folder)) {
            return Set.of();
        }
        ModuleFinder finder = ModuleFinder.of(folder);
        Set<String> roots;
        try {
            roots = finder.findAll().stream().map(ModuleReference::descriptor).map(d -> d.name()).collect(Collectors.toSet());
        } catch (FindException e) {
            throw new UserError("plugin folder " + folder + ": " + e.getMessage());
        }
        if (roots.isEmpty()) {
            return Set.of();
        }
        ModuleLayer layer;
        try {
            Configuration configuration = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            throw new UserError("plugin folder " + folder + ": " + e.getMessage());
        }
        Optional<ClassLoader> loader = roots.stream().findFirst().map(layer::findLoader);
        loader.ifPresent(Thread.currentThread()::setContextClassLoader);
        return roots;
    }
}
