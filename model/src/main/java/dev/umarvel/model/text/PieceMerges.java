package dev.umarvel.model.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Byte-pair merges over the words of a corpus, the way Hugging Face's WordPiece trainer picks its
 * pieces: every word starts as its characters (all but the first with the {@code ##} prefix); the
 * adjacent pair seen most often (weighted by the word's count) becomes one piece, again and again.
 * Pair counts are kept up to date word by word, so a merge costs the words that hold the pair.
 */
final class PieceMerges {

    private final List<String> symbols = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<int[]> words = new ArrayList<>();
    private final List<Integer> wordCounts = new ArrayList<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> pairWords = new HashMap<>();

    PieceMerges(Map<String, Integer> counts) {
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            int[] cps = e.getKey().codePoints().toArray();
            int[] word = new int[cps.length];
            for (int i = 0; i < cps.length; i++) {
                word[i] = id((i == 0 ? "" : VocabularyBuilder.CONTINUATION) + Character.toString(cps[i]));
            }
            words.add(word);
            wordCounts.add(e.getValue());
            count(words.size() - 1, +1);
        });
    }

    /** The merged pieces, in merge order, while the best pair is seen at least {@code minCount} times. */
    List<String> run(int minCount) {
        List<String> merged = new ArrayList<>();
        while (true) {
            long best = -1;
            long bestCount = 0;
            String bestPiece = null;
            for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c < bestCount) {
                    continue;
                }
                String piece = piece(e.getKey());
                if (c > bestCount || piece.compareTo(bestPiece) < 0) { // ties: the alphabetically first, for a stable vocabulary
                    best = e.getKey();
                    bestCount = c;
                    bestPiece = piece;
                }
            }
            if (best < 0 || bestCount < minCount) {
                return merged;
            }
            merge(best, id(bestPiece));
            merged.add(bestPiece);
        }
    }

    /** The piece a pair makes: the left symbol, then the right one without its continuation prefix. */
    private String piece(long pair) {
        String right = symbols.get((int) pair);
        return symbols.get((int) (pair >>> 32)) + right.substring(VocabularyBuilder.CONTINUATION.length());
    }

    private void merge(long pair, int into) {
        int left = (int) (pair >>> 32);
        int right = (int) pair;
        for (int w : new ArrayList<>(pairWords.getOrDefault(pair, Set.of()))) {
            count(w, -1);
            int[] old = words.get(w);
            int[] out = new int[old.length];
            int n = 0;
            for (int i = 0; i < old.length; i++) {
                if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
                    out[n++] = into;
                    i++;
                } else {
                    out[n++] = old[i];
                }
            }
            words.set(w, java.util.Arrays.copyOf(out, n));
            count(w, +1);
        }
    }

    /** Adds (sign +1) or removes (-1) the adjacent pairs of word {@code w}. */
    private void count(int w, int sign) {
        int[] word = words.get(w);
        long weight = (long) sign * wordCounts.get(w);
        for (int i = 0; i + 1 < word.length; i++) {
            long pair = ((long) word[i] << 32) | word[i + 1];
            long c = pairCounts.merge(pair, weight, Long::sum);
            if (c <= 0) {
                pairCounts.remove(pair);
                pairWords.remove(pair);
            } else if (sign > 0) {
                pairWords.computeIfAbsent(pair, k -> new HashSet<>()).add(w);
            }
        }
    }

    private int id(String symbol) {
        return ids.computeIfAbsent(symbol, s -> {
            symbols.add(s);
            return symbols.size() - 1;
        });
    }
}
