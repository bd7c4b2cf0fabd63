package greeter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * greeter: a small HTTP service on the JDK alone (com.sun.net.httpserver, no dependency).
 *
 * <p>GET / answers a greeting (GREETING, default "hello"), GET /health answers "ok"; the port
 * comes from PORT (default 8080). On SIGTERM the JVM runs the shutdown hook, which stops the
 * server, and exits with 143 (128 + 15): R11.
 */
public final class Main {
    private Main() {
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String greeting = System.getenv().getOrDefault("GREETING", "hello");
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", exchange -> answer(exchange, 200, "ok\n"));
        server.createContext("/", exchange -> answer(exchange, 200,
                "{\"app\": \"greeter\", \"greeting\": \"" + greeting + "\", \"args\": " + args.length + "}\n"));
        server.setExecutor(Executors.newFixedThreadPool(4));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("greeter: SIGTERM, stopping");
            server.stop(0);
        }));
        server.start();
        System.err.println("greeter listening on port " + port);
    }
}
