# launcher.rb ROOT PORT PORT_FILE PID_FILE — serves the Redmine app under ROOT with WEBrick on
# 127.0.0.1:PORT (0: the kernel picks a free port, so tests never race for one), then writes the bound
# port to PORT_FILE (atomically) once it listens. Started detached by redmine_ctl.sh; TERM stops it.
root, want_port, port_file, pid_file = ARGV
abort 'usage: launcher.rb ROOT PORT PORT_FILE PID_FILE' unless pid_file

def write_atomically(path, text)
  File.write("#{path}.tmp", text)
  File.rename("#{path}.tmp", path)
end

write_atomically(pid_file, "#{Process.pid}\n")
require File.join(root, 'config', 'environment')
require 'webrick'
require 'rack/handler/webrick'

server = WEBrick::HTTPServer.new(
  BindAddress: '127.0.0.1',
  Port: Integer(want_port),
  Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN),
  AccessLog: [[$stderr, '%h "%r" %s %b']]
)
server.mount('/', Rack::Handler::WEBrick, Rails.application)
%w[TERM INT].each { |sig| trap(sig) { server.shutdown } }
write_atomically(port_file, "#{server.listeners.first.addr[1]}\n")
$stderr.puts "launcher: Redmine listening on 127.0.0.1:#{server.listeners.first.addr[1]}"
server.start
