package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Four instruction prompts for each (dataset, query modality, candidate modality) of M-BEIR-synth. */
final class SynthInstructions {

    private SynthInstructions() {}

    private static final Map<String, List<String>> PROMPTS = Map.ofEntries(
            Map.entry("visualnews_task0", List.of("Identify the news photo for the given caption.",
                    "Retrieve the news image that this caption describes.", "Find the picture that goes with this news caption.",
                    "Match this news caption to its photo.")),
            Map.entry("mscoco_task0", List.of("Find an image that matches the given caption.",
                    "Retrieve the picture described by this caption.", "Identify the image showing the described scene.",
                    "Match the caption with an image.")),
            Map.entry("fashion200k_task0", List.of("Based on the product description, find the item image.",
                    "Retrieve the product picture that fits this description.", "Find the catalogue photo of the described item.",
                    "Match the description to a product image.")),
            Map.entry("webqa_task1", List.of("Retrieve the passage that answers the question.",
                    "Find a text that answers this question.", "Which passage answers the question?",
                    "Find the encyclopedia paragraph for this question.")),
            Map.entry("edis_task2", List.of("Find the news image and headline matching this headline.",
                    "Retrieve the news picture with its headline for the given headline.", "Match this headline to a news image and text.",
                    "Identify the news item described by the headline.")),
            Map.entry("webqa_task2", List.of("Find an image with caption that answers the question.",
                    "Retrieve a picture and its caption answering this question.", "Which image and caption answer the question?",
                    "Answer the question with an image and its description.")),
            Map.entry("visualnews_task3", List.of("Find the caption of this news photo.",
                    "Retrieve the news caption for the image.", "Identify the caption that describes this news picture.",
                    "Match the news photo to its caption.")),
            Map.entry("mscoco_task3", List.of("Find a caption describing this image.",
                    "Retrieve a description of the picture.", "Identify the caption that fits the image.",
                    "Write out the scene: find its caption.")),
            Map.entry("fashion200k_task3", List.of("Find the product description of this item image.",
                    "Retrieve the catalogue text for the pictured item.", "Describe the item: find its description.",
                    "Match the product photo to its description.")),
            Map.entry("nights_task4", List.of("Find an image that looks the same as this one.",
                    "Retrieve a picture identical in content to the given one.", "Identify another rendering of this scene.",
                    "Find the most similar image.")),
            Map.entry("oven_task6", List.of("Identify the entity shown and retrieve its name.",
                    "Answer the question about the image with the entity's name.", "Which entity does the image show?",
                    "Retrieve the entity text the question and image refer to.")),
            Map.entry("infoseek_task6", List.of("Answer the question about the pictured entity.",
                    "Retrieve the fact that answers the question about this image.", "Find the text answering the question on the image.",
                    "Using the image, find the answer passage.")),
            Map.entry("fashioniq_task7", List.of("Find the item image after the requested change.",
                    "Retrieve the product that looks like the reference with the described modification.",
                    "Apply the change to the item and find the resulting image.", "Find the modified product picture.")),
            Map.entry("cirr_task7", List.of("Retrieve the image after applying the change to this scene.",
                    "Find the picture that shows the scene with the described edit.", "Apply the modification and find the image.",
                    "Identify the edited scene.")),
            Map.entry("oven_task8", List.of("Identify the entity shown and retrieve its image and description.",
                    "Find the entity page, picture and text, for this image and question.", "Which entity is this? Retrieve its entry.",
                    "Retrieve the entity's image with its description.")),
            Map.entry("infoseek_task8", List.of("Answer the question with an image and text about the entity.",
                    "Retrieve the picture and fact that answer the question on this image.",
                    "Find the entity entry answering the question.", "Using the image, find the answering image and passage.")));

    static Instructions instructions() {
        List<Instructions.Row> rows = new ArrayList<>();
        for (EvalTask t : EvalTask.ALL) {
            rows.add(new Instructions.Row(t.queryModality(), t.candidateModality(), t.mbeirDataset().displayName(),
                    t.datasetId(), PROMPTS.get(t.name())));
        }
        return new Instructions(rows);
    }
}
