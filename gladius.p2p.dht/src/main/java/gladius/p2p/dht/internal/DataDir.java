package gladius.p2p.dht.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What the DHT keeps across a restart, in {@code dht.data-dir}: the records it stores for others
 * and the nodes of its routing table, in one SQLite database ({@code dht.db}, write-ahead log), so
 * a restarted node answers for what it held and rejoins through the nodes it knew, without its
 * seeds. SQLite because it is the most used embedded store and ships as an explicit module
 * ({@code org.xerial.sqlitejdbc}) that jlink links; its native library is loaded only when a data
 * directory is set. Everything read back is checked again as if it came from the network (a
 * record's signature and expiry, a node's signed record), so a damaged or edited file cannot put
 * anything in the DHT that the network could not. Plugin thread only.
 */
final class DataDir implements AutoCloseable {

    private final Path file;
    private final Connection db;

    private DataDir(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /**
     * Opens (or makes) the database in {@code dir}.
     *
     * @throws IllegalArgumentException naming {@code dht.data-dir} if it cannot be made or opened
     */
    static DataDir open(Path dir) {
        Path file = dir.resolve("dht.db");
        try {
            Files.createDirectories(dir);
            Connection db = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file.toAbsolutePath(), new Properties());
            if (db == null) {
                throw new SQLException("the SQLite driver refused " + file);
            }
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS records (place BLOB PRIMARY KEY, encoded BLOB NOT NULL, expires INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS nodes (id BLOB PRIMARY KEY, entry BLOB NOT NULL, seen INTEGER NOT NULL)");
            }
            return new DataDir(file, db);
        } catch (IOException | SQLException | RuntimeException e) {
            throw new IllegalArgumentException("setting dht.data-dir: cannot keep the DHT's data in " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    /** The records held, unexpired at {@code now}, in their signed bytes (to be checked again). */
    List<byte[]> records(long now) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("SELECT encoded FROM records WHERE expires > ?")) {
            q.setLong(1, now);
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getBytes(1));
                }
            }
        }
        return out;
    }

    /** Keeps a record (replacing the one of its place). */
    void store(Records.Signed record) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("INSERT OR REPLACE INTO records VALUES (?, ?, ?)")) {
            q.setBytes(1, record.place().bytes());
            q.setBytes(2, record.encoded());
            q.setLong(3, record.record().expiresAt().toEpochMilli());
            q.executeUpdate();
        }
    }

    /** Drops the records expired at {@code now}. */
    void expire(long now) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("DELETE FROM records WHERE expires <= ?")) {
            q.setLong(1, now);
            q.executeUpdate();
        }
    }

    /** The routing table's nodes as last saved, most recently seen first (their entries, to be checked again). */
    List<byte[]> nodes() throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rows = s.executeQuery("SELECT entry FROM nodes ORDER BY seen DESC")) {
            while (rows.next()) {
                out.add(rows.getBytes(1));
            }
        }
        return out;
    }

    /** Replaces the saved nodes with the table's now, in one transaction. */
    void saveNodes(List<RoutingTable.Entry> entries) throws SQLException {
        db.setAutoCommit(false);
        try (Statement clear = db.createStatement();
             PreparedStatement insert = db.prepareStatement("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)")) {
            clear.execute("DELETE FROM nodes");
            for (RoutingTable.Entry e : entries) {
                insert.setBytes(1, e.peer.id().bytes());
                insert.setBytes(2, e.peer.entry());
                insert.setLong(3, e.lastSeen);
                insert.addBatch();
            }
            insert.executeBatch();
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
