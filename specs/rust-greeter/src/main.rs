//! greeter: a small HTTP service on the Rust standard library alone (no crates).
//!
//! GET / answers a greeting (the GREETING environment variable, default "hello"),
//! GET /health answers "ok". It reads its port from PORT (default 8080) and serves each
//! connection on its own thread. On SIGTERM it ends at once: it is not PID 1 (tini is,
//! and forwards the signal), so the signal's default action stops it (R02, R11).

use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

fn respond(mut stream: TcpStream, greeting: &str) {
    let mut request_line = String::new();
    if BufReader::new(&stream).read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = match path {
        "/health" => ("200 OK", "ok\n".to_string()),
        "/" => ("200 OK", format!("{{\"app\": \"greeter\", \"greeting\": \"{}\"}}\n", greeting)),
        _ => ("404 Not Found", "not found\n".to_string()),
    };
    let answer = format!(
        "HTTP/1.1 {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        status,
        body.len(),
        body
    );
    let _ = stream.write_all(answer.as_bytes());
}

fn main() {
    let port = env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let greeting = env::var("GREETING").unwrap_or_else(|_| "hello".to_string());
    let listener = TcpListener::bind(format!("0.0.0.0:{}", port)).expect("cannot listen");
    eprintln!("greeter listening on port {}", port);
    for stream in listener.incoming().flatten() {
        let greeting = greeting.clone();
        thread::spawn(move || respond(stream, &greeting));
    }
}
