package dev.umarvel.bench;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A benchmark's figures: printed as a markdown table and written as JSON + markdown, atomically. */
final class Report {

    private final String name;
    private final Map<String, Object> context = new LinkedHashMap<>();
    private final List<Map<String, Object>> rows = new ArrayList<>();

    Report(String name) {
        this.name = name;
    }

    Report context(String key, Object value) {
        context.put(key, value);
        return this;
    }

    Report row(String metric, double value, String unit, String note) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("metric", metric);
        row.put("value", value);
        row.put("unit", unit);
        row.put("note", note);
        rows.add(row);
        return this;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("## " + name + "\n\n");
        context.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("\n| metric | value | unit | note |\n|---|---:|---|---|\n");
        for (Map<String, Object> r : rows) {
            md.append("| ").append(r.get("metric")).append(" | ").append(String.format("%.4g", (double) r.get("value")))
                    .append(" | ").append(r.get("unit")).append(" | ").append(r.get("note")).append(" |\n");
        }
        return md.toString();
    }

    /** Prints the table and writes {@code <dir>/<name>.json} and {@code .md}. */
    void publish(Path dir) throws IOException {
        String md = markdown();
        System.out.println(md);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", name);
        json.put("context", context);
        json.put("results", rows);
        Files.createDirectories(dir);
        write(dir.resolve(name + ".json"), new GsonBuilder().setPrettyPrinting().create().toJson(json));
        write(dir.resolve(name + ".md"), md);
        System.out.println("written: " + dir.resolve(name + ".json") + ", " + dir.resolve(name + ".md"));
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
