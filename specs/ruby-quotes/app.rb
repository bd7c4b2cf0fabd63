# A tiny HTTP server from the standard library: one quote per request.
require "socket"

QUOTES = ["Simple is better than complex.", "Pin the version in FROM."].freeze
server = TCPServer.new("0.0.0.0", Integer(ENV.fetch("QUOTES_PORT", "4567")))
trap("TERM") { exit 0 }
$stdout.sync = true
puts "quotes listening"
loop do
  client = server.accept
  client.gets
  body = QUOTES.sample + "\n"
  client.write "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}"
  client.close
end
