package io.audiencesync.observe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.audiencesync.report.Json;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The management endpoints of a long-running sync, on Camel's usual management port (9876) and paths:
 * {@code /observe/health} (and {@code /live}, {@code /ready}) from Camel's health checks, and
 * {@code /observe/metrics} in Prometheus format. Camel's own management server module is not available in
 * this project's registry, so this small server (the JDK's) keeps its contract.
 */
public final class ManagementServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);

    private final CamelContext context;
    private final SyncMetrics metrics;
    /** Whether the list equals the last complete snapshot: part of readiness and of the overall health. */
    private final HealthCheck convergence;
    private final String host;
    private final int port;
    private HttpServer server;
    private ExecutorService executor;

    public ManagementServer(CamelContext context, SyncMetrics metrics, HealthCheck convergence, String host, int port) {
        this.context = context;
        this.convergence = convergence;
        this.metrics = metrics;
        this.host = host;
        this.port = port;
    }

    /** The port bound (useful when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    protected void doStart() throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "management-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/observe/health", this::health);
        server.createContext("/observe/metrics", this::metrics);
        server.start();
        LOG.info("Management endpoints on http://{}:{}/observe/health and /observe/metrics", host, port());
    }

    @Override
    protected void doStop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Collection<HealthCheck.Result> results = switch (path) {
            case "/observe/health/live" -> HealthCheckHelper.invokeLiveness(context);
            case "/observe/health/ready" -> HealthCheckHelper.invokeReadiness(context);
            case "/observe/health", "/observe/health/" -> HealthCheckHelper.invoke(context);
            default -> null;
        };
        if (results == null) {
            send(exchange, 404, "application/json", "{\"status\":\"NOT_FOUND\"}");
            return;
        }
        if (!path.endsWith("/live")) {
            results = new java.util.ArrayList<>(results);
            results.add(convergence.call());
        }
        boolean up = context.isStarted() && results.stream().allMatch(r -> r.getState() == HealthCheck.State.UP);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("status", up ? "UP" : "DOWN");
        ArrayNode checks = body.putArray("checks");
        for (HealthCheck.Result r : results) {
            ObjectNode check = checks.addObject().put("name", r.getCheck().getId()).put("status", r.getState().name());
            r.getDetails().forEach((key, value) -> {
                if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                    check.put(key, String.valueOf(value));
                }
            });
        }
        send(exchange, up ? 200 : 503, "application/json", body.toString());
    }

    private void metrics(HttpExchange exchange) throws IOException {
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
