package dev.umarvel.orchestrator;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.mbeir.Json;
import dev.umarvel.security.Bearer;
import dev.umarvel.security.ChannelTls;
import dev.umarvel.security.TlsConfig;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON face the web console (/console/) calls, on the orchestrator's own HTTP port. {@code POST
 * /api/v1/Retrieval/<Method>} takes the request of a unary Retrieval RPC as protobuf JSON and calls that RPC of this
 * very orchestrator over gRPC with the caller's token: the same validation, scopes and refusals any gRPC client gets,
 * nothing implemented twice. {@code /api/v1/Trainer/<Method>} does the same through the orchestrator's trainer client.
 * A refusal comes back as {@code {"code": "NOT_FOUND", "message": "..."}} with the HTTP status Google's API guide gives
 * the gRPC code. The reads that have no RPC (images, dataset queries, Distill runs, learning curves) are
 * {@link ConsoleReads}.
 */
@ApplicationScoped
public class ConsoleApi {

    static final int MAX_BODY_BYTES = 16 << 20;

    @Inject
    TlsConfig tls;

    @Inject
    ModelClients models;

    @Inject
    ConsoleReads reads;

    private final Map<String, ManagedChannel> loopbacks = new ConcurrentHashMap<>();

    void routes(@Observes Router router) {
        router.routeWithRegex("/console").handler(rc -> rc.redirect("/console/")); // exactly: a plain route would match "/console/" too
        router.route(HttpMethod.POST, "/api/v1/:service/:method").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .blockingHandler(this::call, false);
        reads.routes(router);
    }

    void close(@Observes ShutdownEvent stop) {
        loopbacks.values().forEach(ManagedChannel::shutdownNow);
    }

    /** One unary RPC, JSON in and out, with the caller's authorization passed on. */
    @SuppressWarnings("unchecked")
    private void call(RoutingContext rc) {
        String service = rc.pathParam("service");
        ServiceDescriptor descriptor = switch (service) {
            case "Retrieval" -> RetrievalGrpc.getServiceDescriptor();
            case "Trainer" -> TrainerGrpc.getServiceDescriptor();
            default -> null;
        };
        MethodDescriptor<?, ?> method = descriptor == null ? null : descriptor.getMethods().stream()
                .filter(m -> m.getBareMethodName().equals(rc.pathParam("method")) && m.getType() == MethodDescriptor.MethodType.UNARY)
                .findFirst().orElse(null);
        if (method == null) {
            refuse(rc, Status.NOT_FOUND.withDescription("no unary RPC " + service + "/" + rc.pathParam("method")));
            return;
        }
        Channel channel = service.equals("Trainer") ? models.trainer().getChannel() : loopback(rc);
        try {
            Message answer = unary(rc, ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(authorization(rc))),
                    (MethodDescriptor<Message, Message>) method);
            rc.response().putHeader("content-type", "application/json").end(JsonFormat.printer().print(answer));
        } catch (StatusRuntimeException e) {
            refuse(rc, e.getStatus());
        } catch (InvalidProtocolBufferException e) {
            refuse(rc, Status.INVALID_ARGUMENT.withDescription("body: " + e.getMessage()));
        }
    }

    private static <Q extends Message, R extends Message> R unary(RoutingContext rc, Channel channel, MethodDescriptor<Q, R> method)
            throws InvalidProtocolBufferException {
        @SuppressWarnings("unchecked")
        Q prototype = ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype();
        Message.Builder request = prototype.newBuilderForType();
        String body = rc.body().asString();
        JsonFormat.parser().merge(body == null || body.isBlank() ? "{}" : body, request);
        @SuppressWarnings("unchecked")
        Q built = (Q) request.build();
        return ClientCalls.blockingUnaryCall(channel.newCall(method, CallOptions.DEFAULT), built);
    }

    /** The orchestrator's own port, as the console's request reached it (plaintext or TLS). */
    private Channel loopback(RoutingContext rc) {
        int port = rc.request().localAddress().port();
        boolean secure = rc.request().isSSL();
        return loopbacks.computeIfAbsent(port + (secure ? "s" : ""), k -> {
            NettyChannelBuilder b = NettyChannelBuilder.forAddress("localhost", port).maxInboundMessageSize(MAX_BODY_BYTES);
            if (secure) {
                // in mutual mode the orchestrator shows its own certificate: a browser has none, its caller is known by its token
                ChannelTls.secure(b, tls);
            } else {
                b.usePlaintext();
            }
            return b.build();
        });
    }

    private static Metadata authorization(RoutingContext rc) {
        Metadata m = new Metadata();
        String header = rc.request().getHeader("authorization");
        if (header != null) {
            m.put(Bearer.AUTHORIZATION, header);
        }
        return m;
    }

    /** A refusal as JSON, with the HTTP status Google's API guide gives its gRPC code. */
    static void refuse(RoutingContext rc, Status s) {
        int http = switch (s.getCode()) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case CANCELLED -> 499;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
        try {
            String json = Json.MAPPER.writeValueAsString(Map.of("code", s.getCode().name(), "message", s.getDescription() == null ? "" : s.getDescription()));
            rc.response().setStatusCode(http).putHeader("content-type", "application/json").end(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
