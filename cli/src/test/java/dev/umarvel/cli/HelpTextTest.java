package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Help a person can act on: every option of every command says what it does, and its default (an option that is
 * required, a switch that is off unless given, or one whose declared default the help prints, showDefaultValues, needs
 * no words for it).
 */
class HelpTextTest {

    static final Pattern SAYS_DEFAULT = Pattern.compile("(?i)default|\\$\\{DEFAULT-VALUE}|unless given|when given|required|if given|omitted");

    static void collect(CommandSpec spec, List<String> out) {
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String name = spec.qualifiedName() + " " + o.longestName();
            String text = String.join(" ", o.description()).strip();
            boolean switchOffUnlessGiven = o.arity().max() == 0 && !o.negatable();
            boolean defaultShown = o.defaultValue() != null && spec.usageMessage().showDefaultValues();
            if (text.isEmpty()) {
                out.add(name + ": no description");
            } else if (!o.required() && !switchOffUnlessGiven && !defaultShown && !SAYS_DEFAULT.matcher(text).find()) {
                out.add(name + ": no default in '" + text + "'");
            }
        }
        spec.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), out));
    }

    @Test
    void everyOptionSaysWhatItDoesAndItsDefault() {
        List<String> missing = new ArrayList<>();
        collect(new CommandLine(new Umarvel()).getCommandSpec(), missing);
        assertEquals(List.of(), missing, missing.size() + " options:\n" + String.join("\n", missing));
    }
}
