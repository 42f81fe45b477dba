package result

// Outside is what a capture holds outside the analysed ports and hosts (TCP only): with a
// filter that matched nothing, it says where the connections are. A live capture's kernel filter
// lets nothing else through, so there it is empty.
type Outside struct {
	// TCPPackets counts the TCP packets outside the analysed ports and hosts; SYNs the SYNs
	// (without ACK: connection attempts) among them.
	TCPPackets int `json:"tcp_packets"`
	SYNs       int `json:"syns"`
	// Ports are the busiest server ports among them (at most MaxOutside): most SYNs first, then
	// most packets. A SYN's server port is its destination; a packet without SYN counts for the
	// lower of its two ports.
	Ports []PortCount `json:"ports"`
	// Hosts are the server addresses that got the most SYNs (at most MaxOutside).
	Hosts []HostCount `json:"hosts"`
}

// MaxOutside is how many ports and hosts Outside lists.
const MaxOutside = 10

// PortCount is how many SYNs and packets one server port got.
type PortCount struct {
	Port    int `json:"port"`
	SYNs    int `json:"syns"`
	Packets int `json:"packets"`
}

// HostCount is how many SYNs one server address got.
type HostCount struct {
	Host IP  `json:"host"`
	SYNs int `json:"syns"`
}
