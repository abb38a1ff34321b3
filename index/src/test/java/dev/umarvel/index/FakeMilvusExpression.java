package dev.umarvel.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Milvus boolean expressions as the fake server evaluates them: the subset {@link MilvusFilter} writes
 * ({@code field in [...]}, {@code ARRAY_CONTAINS_ANY(field, [...])}, {@code field > "text"}, joined by {@code &&} or
 * {@code and}), parsed strictly: anything else is an error, as a real server's parser would raise.
 */
final class FakeMilvusExpression {

    private final List<String> tokens;
    private int at;

    private FakeMilvusExpression(String expr) {
        this.tokens = tokenize(expr);
    }

    /** A predicate over an entity's fields; an empty expression matches everything. */
    static Predicate<Map<String, Object>> parse(String expr) {
        if (expr == null || expr.isBlank()) {
            return e -> true;
        }
        FakeMilvusExpression p = new FakeMilvusExpression(expr);
        Predicate<Map<String, Object>> out = p.term();
        while (p.at < p.tokens.size()) {
            String op = p.next();
            if (!op.equals("&&") && !op.equalsIgnoreCase("and")) {
                throw new IllegalArgumentException("cannot parse expression: unexpected " + op);
            }
            out = out.and(p.term());
        }
        return out;
    }

    private Predicate<Map<String, Object>> term() {
        String head = next();
        if (head.equalsIgnoreCase("ARRAY_CONTAINS_ANY")) {
            expect("(");
            String field = next();
            expect(",");
            List<Object> values = list();
            expect(")");
            return e -> e.get(field) instanceof List<?> l && l.stream().anyMatch(values::contains);
        }
        if (at < tokens.size() && tokens.get(at).equals(">")) {
            at++;
            String bound = next();
            if (!bound.startsWith("\"")) {
                throw new IllegalArgumentException("cannot parse expression: the fake compares strings only");
            }
            return e -> e.get(head) instanceof String v && v.compareTo(bound.substring(1)) > 0;
        }
        expect("in");
        List<Object> values = list();
        return e -> values.contains(e.get(head));
    }

    private List<Object> list() {
        expect("[");
        List<Object> values = new ArrayList<>();
        while (true) {
            String t = next();
            values.add(t.startsWith("\"") ? t.substring(1) : Long.valueOf(t)); // strings keep a leading quote mark as their tag
            String sep = next();
            if (sep.equals("]")) {
                return values;
            }
            if (!sep.equals(",")) {
                throw new IllegalArgumentException("cannot parse expression: expected , or ] but got " + sep);
            }
        }
    }

    private String next() {
        if (at >= tokens.size()) {
            throw new IllegalArgumentException("cannot parse expression: it ends too early");
        }
        return tokens.get(at++);
    }

    private void expect(String token) {
        String t = next();
        if (!t.equalsIgnoreCase(token)) {
            throw new IllegalArgumentException("cannot parse expression: expected " + token + " but got " + t);
        }
    }

    /** Tokens: punctuation, {@code &&}, words and numbers, and strings as {@code "} + their unescaped text. */
    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ("[](),>".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else if (s.startsWith("&&", i)) {
                out.add("&&");
                i += 2;
            } else if (c == '"') {
                StringBuilder text = new StringBuilder("\"");
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    text.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    throw new IllegalArgumentException("cannot parse expression: unterminated string");
                }
                i++;
                out.add(text.toString());
            } else {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '-')) {
                    i++;
                }
                if (start == i) {
                    throw new IllegalArgumentException("cannot parse expression: unexpected " + c);
                }
                out.add(s.substring(start, i));
            }
        }
        return out;
    }
}
