package gladius.p2p.node;

import gladius.p2p.spi.SettingsReader;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations in the settings' syntax: 250ms, 5s, 2m. */
final class Durations implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            Duration duration = SettingsReader.parseDuration(value);
            if (duration.isZero()) {
                throw new IllegalArgumentException(value);
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a positive duration (such as 500ms, 5s, 1m)");
        }
    }
}
