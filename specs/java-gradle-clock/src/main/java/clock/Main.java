package clock;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * clock: answers GET / with the current time in UTC, GET /health with "ok", on the port in
 * PORT (default 8080). On SIGTERM the JVM runs the shutdown hook and exits 143 (R11).
 */
public final class Main {
    private Main() {
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", exchange -> answer(exchange, "ok\n"));
        server.createContext("/", exchange -> answer(exchange, "{\"app\": \"clock\", \"now\": \"" + Instant.now() + "\"}\n"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        server.start();
        System.err.println("clock listening on port " + port);
    }
}
