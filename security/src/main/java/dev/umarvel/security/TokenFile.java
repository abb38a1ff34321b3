package dev.umarvel.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The tokens a service accepts: one line per token, {@code <name> <scopes> <sha256 of the token>}, e.g.
 * {@code cli search,admin 9f86d0...}. The file holds digests only, so reading it (or a backup of it) gives no
 * token away. Edited in place (a Kubernetes Secret update, {@code umarvel token create}), it is read again
 * within {@link #RELOAD_NANOS}: rotating a token needs no restart.
 */
public final class TokenFile {

    static final long RELOAD_NANOS = 2_000_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final LongSupplier clock;
    private volatile Map<String, Principal> byDigest;
    private volatile FileTime loadedModified;
    private volatile long checkedAt;

    public TokenFile(Path path) {
        this(path, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} counts them (a test's clock moves on when told) */
    TokenFile(Path path, LongSupplier clock) {
        this.path = path;
        this.clock = clock;
        reload();
    }

    /** The principal of {@code token}, or empty when no line has its digest. */
    public Optional<Principal> lookup(String token) {
        if (clock.getAsLong() - checkedAt > RELOAD_NANOS) {
            reloadIfChanged();
        }
        return Optional.ofNullable(byDigest.get(digest(token)));
    }

    public int size() {
        return byDigest.size();
    }

    private synchronized void reloadIfChanged() {
        checkedAt = clock.getAsLong();
        try {
            if (!Files.getLastModifiedTime(path).equals(loadedModified)) {
                reload();
            }
        } catch (IOException | RuntimeException e) {
            // a half-written or vanished file keeps the tokens read last; the next check tries again
        }
    }

    private synchronized void reload() {
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            byDigest = parse(Files.readAllLines(path, StandardCharsets.UTF_8), path);
            loadedModified = modified;
            checkedAt = clock.getAsLong();
        } catch (IOException e) {
            throw new IllegalStateException("umarvel.auth.tokens-file " + path + " cannot be read: " + e.getMessage(), e);
        }
    }

    static Map<String, Principal> parse(List<String> lines, Path path) {
        Map<String, Principal> tokens = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            String where = path + ":" + (i + 1) + ": ";
            if (f.length != 3) {
                throw new IllegalArgumentException(where + "expected '<name> <scopes> <sha256>', got " + f.length + " fields");
            }
            if (!f[2].matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(where + "the third field must be a SHA-256 digest in lower-case hex (64 characters), not a token");
            }
            Set<Scope> scopes;
            try {
                scopes = Scope.parseList(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            if (tokens.put(f[2], new Principal(f[0], Set.copyOf(scopes))) != null) {
                throw new IllegalArgumentException(where + "the same token digest appears twice");
            }
        }
        return Map.copyOf(tokens);
    }

    /** A new random token: 256 bits, URL-safe, with a prefix that secret scanners recognise. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "umv_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds {@code name} with {@code scopes} to the file at {@code path} (created if absent) and returns its token.
     * Written whole to a temporary file and renamed, so a reader never sees half a line; a name already there is refused.
     */
    public static String add(Path path, String name, Set<Scope> scopes) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("token name must be 1-64 of A-Z a-z 0-9 . _ -: " + name);
        }
        List<String> lines = Files.exists(path) ? new ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8)) : new ArrayList<>();
        for (String l : lines) {
            if (l.strip().split("\\s+")[0].equals(name)) {
                throw new IllegalArgumentException("a token named '" + name + "' is already in " + path);
            }
        }
        if (lines.isEmpty()) {
            lines.add("# umarvel tokens: <name> <scopes> <sha256 of the token>");
        }
        String token = newToken();
        lines.add(name + " " + String.join(",", scopes.stream().sorted().map(Scope::label).toList()) + " " + digest(token));
        Path parent = path.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".tokens", ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return token;
    }
}
