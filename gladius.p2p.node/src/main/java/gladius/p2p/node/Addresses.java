package gladius.p2p.node;

import gladius.p2p.NodeAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** HOST:PORT arguments. */
final class Addresses implements ITypeConverter<NodeAddress> {

    @Override
    public NodeAddress convert(String value) {
        try {
            return NodeAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not HOST:PORT (such as 127.0.0.1:7000 or [::1]:7000)");
        }
    }
}
