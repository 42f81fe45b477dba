package tls

// streamCase is one direction of a capture in testdata and the events a Stream gives for it,
// each rendered by describe as "start-end what rec=record version". The record and message
// sequence agrees with tshark 4.0.17's dissection of the same packets.
type streamCase struct {
	capture string
	server  bool
	limit   int
	done    bool
	events  []string
	partial string // "type have/want" from Partial after the last segment, "" for none
}

var streamCases = []streamCase{
	{capture: "hrr", server: false, done: false, events: []string{
		"0-236 client_hello len=227 rec=TLS 1.0",
		"236-242 change_cipher_spec rec=TLS 1.2",
		"242-486 client_hello len=235 rec=TLS 1.2",
		"486-560 application_data len=69 rec=TLS 1.2",
		"560-584 application_data len=19 rec=TLS 1.2",
	}},
	{capture: "hrr", server: true, done: false, events: []string{
		"0-93 server_hello len=84 rec=TLS 1.2",
		"93-99 change_cipher_spec rec=TLS 1.2",
		"99-259 server_hello len=151 rec=TLS 1.2",
		"259-1512 application_data len=1248 rec=TLS 1.2",
		"1512-2034 application_data len=517 rec=TLS 1.2",
	}},
	{capture: "lo_hrr", server: false, done: false, events: []string{
		"0-314 client_hello len=305 rec=TLS 1.0",
		"314-320 change_cipher_spec rec=TLS 1.2",
		"320-601 client_hello len=272 rec=TLS 1.2",
		"601-675 application_data len=69 rec=TLS 1.2",
		"675-715 application_data len=35 rec=TLS 1.2",
		"715-739 application_data len=19 rec=TLS 1.2",
	}},
	{capture: "lo_hrr", server: true, done: false, events: []string{
		"0-93 server_hello len=84 rec=TLS 1.2",
		"93-99 change_cipher_spec rec=TLS 1.2",
		"99-226 server_hello len=118 rec=TLS 1.2",
		"226-254 application_data len=23 rec=TLS 1.2",
		"254-1093 application_data len=834 rec=TLS 1.2",
		"1093-1379 application_data len=281 rec=TLS 1.2",
		"1379-1453 application_data len=69 rec=TLS 1.2",
		"1453-1708 application_data len=250 rec=TLS 1.2",
		"1708-1963 application_data len=250 rec=TLS 1.2",
		"1963-7023 application_data len=5055 rec=TLS 1.2",
		"7023-7047 application_data len=19 rec=TLS 1.2",
	}},
	{capture: "lo_tls12", server: false, done: false, events: []string{
		"0-320 client_hello len=311 rec=TLS 1.0",
		"320-362 client_key_exchange len=33 rec=TLS 1.2",
		"362-368 change_cipher_spec rec=TLS 1.2",
		"368-413 handshake encrypted len=40 rec=TLS 1.2",
		"413-460 application_data len=42 rec=TLS 1.2",
		"460-491 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_tls12", server: true, done: false, events: []string{
		"0-70 server_hello len=61 rec=TLS 1.2",
		"70-889 certificate len=810 rec=TLS 1.2",
		"889-1194 server_key_exchange len=296 rec=TLS 1.2",
		"1194-1203 server_hello_done len=0 rec=TLS 1.2",
		"1203-1394 new_session_ticket len=182 rec=TLS 1.2",
		"1394-1400 change_cipher_spec rec=TLS 1.2",
		"1400-1445 handshake encrypted len=40 rec=TLS 1.2",
		"1445-6580 application_data len=5130 rec=TLS 1.2",
		"6580-6611 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_tls12_certchain", server: false, done: false, events: []string{
		"0-297 client_hello len=288 rec=TLS 1.0",
		"297-339 client_key_exchange len=33 rec=TLS 1.2",
		"339-345 change_cipher_spec rec=TLS 1.2",
		"345-390 handshake encrypted len=40 rec=TLS 1.2",
		"390-437 application_data len=42 rec=TLS 1.2",
		"437-468 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_tls12_certchain", server: true, done: false, events: []string{
		"0-70 server_hello len=61 rec=TLS 1.2",
		"70-18235 certificate len=18151 rec=TLS 1.2",
		"18235-18540 server_key_exchange len=296 rec=TLS 1.2",
		"18540-18549 server_hello_done len=0 rec=TLS 1.2",
		"18549-18740 new_session_ticket len=182 rec=TLS 1.2",
		"18740-18746 change_cipher_spec rec=TLS 1.2",
		"18746-18791 handshake encrypted len=40 rec=TLS 1.2",
		"18791-23956 application_data len=5160 rec=TLS 1.2",
		"23956-23987 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_tls12_bigcert", server: false, done: false, events: []string{
		"0-297 client_hello len=288 rec=TLS 1.0",
		"297-339 client_key_exchange len=33 rec=TLS 1.2",
		"339-345 change_cipher_spec rec=TLS 1.2",
		"345-390 handshake encrypted len=40 rec=TLS 1.2",
		"390-437 application_data len=42 rec=TLS 1.2",
		"437-468 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_tls12_bigcert", server: true, done: true, events: []string{
		"0-70 server_hello len=61 rec=TLS 1.2",
	}, partial: "certificate 65442/68858"},
	{capture: "lo_tls13_unknown_ca", server: false, done: false, events: []string{
		"0-320 client_hello len=311 rec=TLS 1.0",
		"320-327 alert fatal unknown_ca rec=TLS 1.2",
	}},
	{capture: "lo_tls13_unknown_ca", server: true, done: false, events: []string{
		"0-127 server_hello len=118 rec=TLS 1.2",
		"127-133 change_cipher_spec rec=TLS 1.2",
		"133-161 application_data len=23 rec=TLS 1.2",
		"161-1000 application_data len=834 rec=TLS 1.2",
		"1000-1286 application_data len=281 rec=TLS 1.2",
		"1286-1360 application_data len=69 rec=TLS 1.2",
	}},
	{capture: "lo_tls13_go", server: false, done: false, events: []string{
		"0-1524 client_hello len=1515 rec=TLS 1.0",
		"1524-1530 change_cipher_spec rec=TLS 1.2",
		"1530-1588 application_data len=53 rec=TLS 1.2",
		"1588-1628 application_data len=35 rec=TLS 1.2",
		"1628-1652 application_data len=19 rec=TLS 1.2",
	}},
	{capture: "lo_tls13_go", server: true, done: false, events: []string{
		"0-127 server_hello len=118 rec=TLS 1.2",
		"127-133 change_cipher_spec rec=TLS 1.2",
		"133-170 application_data len=32 rec=TLS 1.2",
		"170-1009 application_data len=834 rec=TLS 1.2",
		"1009-1295 application_data len=281 rec=TLS 1.2",
		"1295-1353 application_data len=53 rec=TLS 1.2",
		"1353-1592 application_data len=234 rec=TLS 1.2",
		"1592-1831 application_data len=234 rec=TLS 1.2",
		"1831-6276 application_data len=4440 rec=TLS 1.2",
		"6276-6300 application_data len=19 rec=TLS 1.2",
	}},
	{capture: "lo_gnutls_unknown_ca", server: false, done: false, events: []string{
		"0-373 client_hello len=364 rec=TLS 1.0",
		"373-379 change_cipher_spec rec=TLS 1.2",
		"379-403 application_data len=19 rec=TLS 1.2",
	}},
	{capture: "lo_gnutls_unknown_ca", server: true, done: false, events: []string{
		"0-160 server_hello len=151 rec=TLS 1.2",
		"160-166 change_cipher_spec rec=TLS 1.2",
		"166-220 application_data len=49 rec=TLS 1.2",
		"220-1059 application_data len=834 rec=TLS 1.2",
		"1059-1345 application_data len=281 rec=TLS 1.2",
		"1345-1419 application_data len=69 rec=TLS 1.2",
	}},
	{capture: "lo_protocol_version", server: false, done: false, events: []string{
		"0-104 client_hello len=95 rec=TLS 1.0",
	}},
	{capture: "lo_protocol_version", server: true, done: false, events: []string{
		"0-7 alert fatal protocol_version rec=TLS 1.0",
	}},
	{capture: "lo_cipher_mismatch", server: false, done: false, events: []string{
		"0-112 client_hello len=103 rec=TLS 1.0",
	}},
	{capture: "lo_cipher_mismatch", server: true, done: false, events: []string{
		"0-7 alert fatal handshake_failure rec=TLS 1.2",
	}},
	{capture: "tls12_handshake_failure", server: false, done: false, events: []string{
		"0-178 client_hello len=169 rec=TLS 1.0",
	}},
	{capture: "tls12_handshake_failure", server: true, done: false, events: []string{
		"0-7 alert fatal handshake_failure rec=TLS 1.2",
	}},
	{capture: "tls13draft16_unknown_ca", server: false, done: false, events: []string{
		"0-517 client_hello len=508 rec=TLS 1.0",
		"517-524 alert fatal unknown_ca rec=TLS 1.0",
	}},
	{capture: "tls13draft16_unknown_ca", server: true, done: false, events: []string{
		"0-156 server_hello len=147 rec=TLS 1.0",
		"156-193 application_data len=32 rec=TLS 1.0",
		"193-595 application_data len=397 rec=TLS 1.0",
		"595-695 application_data len=95 rec=TLS 1.0",
		"695-753 application_data len=53 rec=TLS 1.0",
		"753-777 application_data len=19 rec=TLS 1.0",
		"777-801 application_data len=19 rec=TLS 1.0",
	}},
	{capture: "ssl_v2", server: false, done: true, events: []string{
		"0-48 client_hello len=45 rec=SSL 2.0",
	}},
	{capture: "ssl_v2", server: true, done: true, events: []string{
		"0-950 server_hello len=947 rec=SSL 2.0",
	}},
	{capture: "lo_sslv2hello_tls12", server: false, done: false, events: []string{
		"0-151 client_hello len=148 rec=SSL 2.0",
		"151-418 client_key_exchange len=258 rec=TLS 1.2",
		"418-424 change_cipher_spec rec=TLS 1.2",
		"424-469 handshake encrypted len=40 rec=TLS 1.2",
		"469-500 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_sslv2hello_tls12", server: true, done: false, events: []string{
		"0-86 server_hello len=77 rec=TLS 1.2",
		"86-905 certificate len=810 rec=TLS 1.2",
		"905-1693 server_key_exchange len=779 rec=TLS 1.2",
		"1693-1702 server_hello_done len=0 rec=TLS 1.2",
		"1702-1708 change_cipher_spec rec=TLS 1.2",
		"1708-1753 handshake encrypted len=40 rec=TLS 1.2",
		"1753-1784 alert encrypted len=26 rec=TLS 1.2",
	}},
	{capture: "lo_sslv2hello_failure", server: false, done: false, events: []string{
		"0-151 client_hello len=148 rec=SSL 2.0",
	}},
	{capture: "lo_sslv2hello_failure", server: true, done: false, events: []string{
		"0-7 alert fatal handshake_failure rec=TLS 1.2",
	}},
	{capture: "lo_plain_http", server: false, done: true, events: []string{
		"0-64 not_tls \"GET /officescan/cgi/isapiClient.dll HTTP/1.1\\r\\nHost: 127.0.0.1:14\"",
	}},
	{capture: "lo_plain_http", server: true, done: false, events: nil},
	{capture: "https_to_http", server: false, done: false, events: []string{
		"0-517 client_hello len=508 rec=TLS 1.0",
	}},
	{capture: "https_to_http", server: true, done: true, events: []string{
		"0-64 not_tls \"<!DOCTYPE HTML>\\n<html lang=\\\"en\\\">\\n    <head>\\n        <meta charse\"",
	}},
	{capture: "smtp_starttls", server: false, done: true, events: []string{
		"0-25 not_tls \"EHLO openssl.client.net\\r\\n\"",
	}},
	{capture: "smtp_starttls", server: true, done: true, events: []string{
		"0-54 not_tls \"220 mx.google.com ESMTP hf10si4097299icc.190 - gsmtp\\r\\n\"",
	}},
	{capture: "heartbleed", server: false, done: false, events: []string{
		"0-267 client_hello len=258 rec=TLS 1.2",
		"267-16640 heartbeat len=16368 rec=TLS 1.2",
	}},
	{capture: "heartbleed", server: true, done: false, events: []string{
		"0-99 server_hello len=90 rec=TLS 1.2",
		"99-3310 certificate len=3202 rec=TLS 1.2",
		"3310-3648 server_key_exchange len=329 rec=TLS 1.2",
		"3648-3657 server_hello_done len=0 rec=TLS 1.2",
	}},
	{capture: "tls12", server: false, done: false, events: []string{
		"0-322 client_hello len=313 rec=TLS 1.0",
		"322-589 client_key_exchange len=258 rec=TLS 1.2",
		"589-595 change_cipher_spec rec=TLS 1.2",
		"595-632 handshake encrypted len=32 rec=TLS 1.2",
		"632-668 application_data len=31 rec=TLS 1.2",
		"668-690 application_data len=17 rec=TLS 1.2",
		"690-713 alert encrypted len=18 rec=TLS 1.2",
	}},
	{capture: "tls12", server: true, done: false, events: []string{
		"0-86 server_hello len=77 rec=TLS 1.2",
		"86-3918 certificate len=3823 rec=TLS 1.2",
		"3918-3927 server_hello_done len=0 rec=TLS 1.2",
		"3927-3933 change_cipher_spec rec=TLS 1.2",
		"3933-3970 handshake encrypted len=32 rec=TLS 1.2",
		"3970-5439 application_data len=1464 rec=TLS 1.2",
		"5439-6036 application_data len=592 rec=TLS 1.2",
	}},
	{capture: "lo_downgrade_tls11", server: false, done: false, events: []string{
		"0-104 client_hello len=95 rec=TLS 1.0",
		"104-146 client_key_exchange len=33 rec=TLS 1.1",
		"146-152 change_cipher_spec rec=TLS 1.1",
		"152-225 handshake encrypted len=68 rec=TLS 1.1",
		"225-282 alert encrypted len=52 rec=TLS 1.1",
	}},
	{capture: "lo_downgrade_tls11", server: true, done: false, events: []string{
		"0-74 server_hello len=65 rec=TLS 1.1",
		"74-893 certificate len=810 rec=TLS 1.1",
		"893-1196 server_key_exchange len=294 rec=TLS 1.1",
		"1196-1205 server_hello_done len=0 rec=TLS 1.1",
		"1205-1396 new_session_ticket len=182 rec=TLS 1.1",
		"1396-1402 change_cipher_spec rec=TLS 1.1",
		"1402-1475 handshake encrypted len=68 rec=TLS 1.1",
		"1475-1532 alert encrypted len=52 rec=TLS 1.1",
	}},
	{capture: "lo_tls12_bigcert", server: true, limit: 200000, done: false, events: []string{
		"0-70 server_hello len=61 rec=TLS 1.2",
		"70-68957 certificate len=68858 rec=TLS 1.2",
		"68957-69262 server_key_exchange len=296 rec=TLS 1.2",
		"69262-69271 server_hello_done len=0 rec=TLS 1.2",
		"69271-69462 new_session_ticket len=182 rec=TLS 1.2",
		"69462-69468 change_cipher_spec rec=TLS 1.2",
		"69468-69513 handshake encrypted len=40 rec=TLS 1.2",
		"69513-74678 application_data len=5160 rec=TLS 1.2",
		"74678-74709 alert encrypted len=26 rec=TLS 1.2",
	}},
}
