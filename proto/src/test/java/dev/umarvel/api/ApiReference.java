package dev.umarvel.api;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the markdown API reference of the umarvel.v1 contract from protoc's descriptor set
 * (compiled with source info, so the comments come along).
 *
 * <p>It lives with the tests because it is a build tool, not part of the contract jar: {@code
 * ApiReferenceTest} fails when the committed reference differs from what this renders, and
 * rewrites it when run with {@code -Dumarvel.api.write=true}.
 */
final class ApiReference {

    // Field numbers of descriptor.proto, used to address comments in SourceCodeInfo.
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    private static final List<String> FILE_ORDER =
            List.of("embedder.proto", "reranker.proto", "trainer.proto", "retrieval.proto", "common.proto");
    private static final int FILE_SYNTAX = 12;

    private final List<FileDescriptorProto> files;
    /** Fully qualified message name (".umarvel.v1.X.YEntry") of map entries, to their key and value types. */
    private final Map<String, DescriptorProto> mapEntries = new HashMap<>();

    ApiReference(FileDescriptorSet set, String protoPackage) {
        // Services in the order a reader meets them, shared messages last; protoc's own order
        // depends on the order it was handed the files.
        this.files = set.getFileList().stream().filter(f -> f.getPackage().equals(protoPackage))
                .sorted(Comparator.comparingInt((FileDescriptorProto f) -> fileRank(f.getName()))
                        .thenComparing(FileDescriptorProto::getName))
                .toList();
        for (FileDescriptorProto file : files) {
            for (DescriptorProto message : file.getMessageTypeList()) {
                collectMapEntries("." + file.getPackage() + "." + message.getName(), message);
            }
        }
    }

    private static int fileRank(String name) {
        int rank = FILE_ORDER.indexOf(name.substring(name.lastIndexOf('/') + 1));
        return rank < 0 ? FILE_ORDER.size() : rank;
    }

    /** One documented element: its kind, full name and comment, for completeness checks. */
    record Element(String kind, String name, String comment) {}

    /** Every service, RPC, message, field, enum and enum value, with its leading comment. */
    List<Element> elements() {
        List<Element> out = new ArrayList<>();
        for (FileDescriptorProto file : files) {
            Comments comments = new Comments(file);
            for (int s = 0; s < file.getServiceCount(); s++) {
                ServiceDescriptorProto service = file.getService(s);
                out.add(new Element("service", service.getName(), comments.at(FILE_SERVICE, s)));
                for (int m = 0; m < service.getMethodCount(); m++) {
                    out.add(new Element("rpc", service.getName() + "." + service.getMethod(m).getName(),
                            comments.at(FILE_SERVICE, s, SERVICE_METHOD, m)));
                }
            }
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                messageElements(file.getMessageType(i), file.getMessageType(i).getName(), comments,
                        new int[] {FILE_MESSAGE, i}, out);
            }
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                enumElements(file.getEnumType(i), file.getEnumType(i).getName(), comments,
                        new int[] {FILE_ENUM, i}, out);
            }
        }
        return out;
    }

    /** The whole reference as markdown. */
    String render() {
        StringBuilder md = new StringBuilder();
        md.append("# umarvel.v1 API reference\n\n");
        md.append("Generated from `proto/src/main/proto/umarvel/v1/*.proto` by `ApiReferenceTest`; do not edit by hand.\n");
        md.append("Regenerate with `./mvnw -pl proto test -Dumarvel.api.write=true`.\n\n");
        md.append("Every RPC also returns UNAUTHENTICATED, PERMISSION_DENIED, DEADLINE_EXCEEDED and CANCELLED where its service says so.\n\n");
        md.append("## Contents\n\n");
        for (FileDescriptorProto file : files) {
            md.append("- `").append(file.getName()).append("`: ");
            List<String> names = new ArrayList<>();
            file.getServiceList().forEach(s -> names.add(link(s.getName()) + " (service)"));
            file.getMessageTypeList().forEach(m -> names.add(link(m.getName())));
            file.getEnumTypeList().forEach(e -> names.add(link(e.getName()) + " (enum)"));
            md.append(String.join(", ", names)).append('\n');
        }
        for (FileDescriptorProto file : files) {
            Comments comments = new Comments(file);
            md.append("\n## ").append(file.getName()).append("\n\n");
            String fileComment = comments.at(FILE_SYNTAX); // the file's header comment sits on `syntax`
            if (!fileComment.isEmpty()) {
                md.append(fileComment).append("\n\n");
            }
            for (int s = 0; s < file.getServiceCount(); s++) {
                renderService(md, file.getService(s), comments, s);
            }
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                renderMessage(md, file.getMessageType(i), comments, new int[] {FILE_MESSAGE, i});
            }
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                renderEnum(md, file.getEnumType(i), comments, new int[] {FILE_ENUM, i});
            }
        }
        return md.toString();
    }

    private void renderService(StringBuilder md, ServiceDescriptorProto service, Comments comments, int s) {
        md.append("### ").append(service.getName()).append("\n\n");
        md.append(comments.at(FILE_SERVICE, s)).append("\n\n");
        md.append("| RPC | Request | Response |\n|---|---|---|\n");
        for (MethodDescriptorProto method : service.getMethodList()) {
            md.append("| [").append(method.getName()).append("](#").append(anchor(service.getName() + "." + method.getName()))
                    .append(") | ").append(streamed(method.getClientStreaming(), method.getInputType()))
                    .append(" | ").append(streamed(method.getServerStreaming(), method.getOutputType())).append(" |\n");
        }
        md.append('\n');
        for (int m = 0; m < service.getMethodCount(); m++) {
            MethodDescriptorProto method = service.getMethod(m);
            md.append("#### ").append(service.getName()).append('.').append(method.getName()).append("\n\n");
            md.append("`rpc ").append(method.getName()).append('(')
                    .append(method.getClientStreaming() ? "stream " : "").append(simpleName(method.getInputType()))
                    .append(") returns (").append(method.getServerStreaming() ? "stream " : "")
                    .append(simpleName(method.getOutputType())).append(")`\n\n");
            md.append(comments.at(FILE_SERVICE, s, SERVICE_METHOD, m)).append("\n\n");
        }
    }

    private void renderMessage(StringBuilder md, DescriptorProto message, Comments comments, int[] path) {
        if (message.getOptions().getMapEntry()) {
            return;
        }
        md.append("### ").append(message.getName()).append("\n\n");
        md.append(comments.at(path)).append("\n\n");
        if (message.getFieldCount() > 0) {
            md.append("| Field | Number | Type | Description |\n|---|---|---|---|\n");
            for (int f = 0; f < message.getFieldCount(); f++) {
                FieldDescriptorProto field = message.getField(f);
                md.append("| `").append(field.getName()).append("` | ").append(field.getNumber()).append(" | ")
                        .append(fieldType(message, field)).append(" | ")
                        .append(cell(comments.at(append(path, MESSAGE_FIELD, f)))).append(" |\n");
            }
            md.append('\n');
        }
        for (int n = 0; n < message.getNestedTypeCount(); n++) {
            renderMessage(md, message.getNestedType(n), comments, append(path, MESSAGE_NESTED, n));
        }
        for (int e = 0; e < message.getEnumTypeCount(); e++) {
            renderEnum(md, message.getEnumType(e), comments, append(path, MESSAGE_ENUM, e));
        }
    }

    private static void renderEnum(StringBuilder md, EnumDescriptorProto en, Comments comments, int[] path) {
        md.append("### ").append(en.getName()).append("\n\n");
        md.append(comments.at(path)).append("\n\n");
        md.append("| Name | Number | Description |\n|---|---|---|\n");
        for (int v = 0; v < en.getValueCount(); v++) {
            EnumValueDescriptorProto value = en.getValue(v);
            md.append("| `").append(value.getName()).append("` | ").append(value.getNumber()).append(" | ")
                    .append(cell(comments.at(append(path, ENUM_VALUE, v)))).append(" |\n");
        }
        md.append('\n');
    }

    private String fieldType(DescriptorProto owner, FieldDescriptorProto field) {
        String type = field.hasTypeName() ? typeLink(field.getTypeName()) : scalar(field.getType());
        DescriptorProto entry = mapEntries.get(field.getTypeName());
        if (entry != null) {
            return "map&lt;" + fieldType(entry, entry.getField(0)) + ", " + fieldType(entry, entry.getField(1)) + "&gt;";
        }
        if (field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED) {
            return "repeated " + type;
        }
        if (field.getProto3Optional()) {
            return "optional " + type;
        }
        if (field.hasOneofIndex()) {
            return type + " (oneof `" + owner.getOneofDecl(field.getOneofIndex()).getName() + "`)";
        }
        return type;
    }

    private void collectMapEntries(String fullName, DescriptorProto message) {
        if (message.getOptions().getMapEntry()) {
            mapEntries.put(fullName, message);
        }
        for (DescriptorProto nested : message.getNestedTypeList()) {
            collectMapEntries(fullName + "." + nested.getName(), nested);
        }
    }

    private static void messageElements(DescriptorProto message, String name, Comments comments, int[] path,
            List<Element> out) {
        if (message.getOptions().getMapEntry()) {
            return;
        }
        out.add(new Element("message", name, comments.at(path)));
        for (int f = 0; f < message.getFieldCount(); f++) {
            out.add(new Element("field", name + "." + message.getField(f).getName(),
                    comments.at(append(path, MESSAGE_FIELD, f))));
        }
        for (int n = 0; n < message.getNestedTypeCount(); n++) {
            DescriptorProto nested = message.getNestedType(n);
            messageElements(nested, name + "." + nested.getName(), comments, append(path, MESSAGE_NESTED, n), out);
        }
        for (int e = 0; e < message.getEnumTypeCount(); e++) {
            EnumDescriptorProto en = message.getEnumType(e);
            enumElements(en, name + "." + en.getName(), comments, append(path, MESSAGE_ENUM, e), out);
        }
    }

    private static void enumElements(EnumDescriptorProto en, String name, Comments comments, int[] path,
            List<Element> out) {
        out.add(new Element("enum", name, comments.at(path)));
        for (int v = 0; v < en.getValueCount(); v++) {
            out.add(new Element("enum value", name + "." + en.getValue(v).getName(),
                    comments.at(append(path, ENUM_VALUE, v))));
        }
    }

    private static String streamed(boolean stream, String type) {
        return (stream ? "stream " : "") + typeLink(type);
    }

    private static String typeLink(String fullName) {
        String simple = simpleName(fullName);
        return fullName.startsWith(".umarvel.") ? link(simple) : "`" + fullName.substring(1) + "`";
    }

    private static String link(String name) {
        return "[" + name + "](#" + anchor(name) + ")";
    }

    /** GitHub's heading anchor: lower case, punctuation dropped. */
    private static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_ -]", "").replace(' ', '-');
    }

    private static String simpleName(String fullName) {
        return fullName.substring(fullName.lastIndexOf('.') + 1);
    }

    private static String scalar(FieldDescriptorProto.Type type) {
        return type.name().substring("TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    /** A comment inside a table cell: one line, pipes escaped. */
    private static String cell(String comment) {
        return comment.replace("|", "\\|").replace("\n", " ");
    }

    private static int[] append(int[] path, int... more) {
        int[] out = new int[path.length + more.length];
        System.arraycopy(path, 0, out, 0, path.length);
        System.arraycopy(more, 0, out, path.length, more.length);
        return out;
    }

    /** Leading comments of one file, by source path. */
    private static final class Comments {
        private final Map<List<Integer>, Location> byPath = new HashMap<>();

        Comments(FileDescriptorProto file) {
            for (Location location : file.getSourceCodeInfo().getLocationList()) {
                byPath.putIfAbsent(location.getPathList(), location);
            }
        }

        String at(int... path) {
            Location location = byPath.get(toList(path));
            return location == null ? "" : tidy(location.getLeadingComments());
        }

        private static List<Integer> toList(int[] path) {
            List<Integer> list = new ArrayList<>(path.length);
            for (int p : path) {
                list.add(p);
            }
            return list;
        }

        /**
         * Drops the single space protoc keeps after "//" and surrounding blank lines, and escapes
         * angle brackets so that "<emb>" reads as text, not as an HTML tag.
         */
        private static String tidy(String comment) {
            return comment.lines().map(l -> l.startsWith(" ") ? l.substring(1) : l)
                    .reduce((a, b) -> a + "\n" + b).orElse("").strip()
                    .replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
