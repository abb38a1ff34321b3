package dev.umarvel.mbeir;

/** M-BEIR's {@code format_string}: how instructions and texts are tidied before the model sees them. */
public final class TextNormalizer {

    private TextNormalizer() {}

    /**
     * As UniIR: removes carriage returns, strips white space and then double quotes at either end,
     * capitalises the first character, and adds a final "." unless the text ends in ".", "?" or
     * "!". Null and empty texts stay empty.
     */
    public static String format(String text) {
        if (text == null) {
            return "";
        }
        String s = text.replace("\r", "").strip();
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '"') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '"') {
            to--;
        }
        s = s.substring(from, to);
        if (s.isEmpty()) {
            return s;
        }
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        char last = s.charAt(s.length() - 1);
        return last == '.' || last == '?' || last == '!' ? s : s + ".";
    }
}
