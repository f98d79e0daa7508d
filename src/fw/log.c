/* \summary: --log: the kernel log lines of nft log statements and iptables LOG targets */
/*
 * The message nf_log_syslog.c builds (nf_log_ip_packet(),
 * nf_log_ip6_packet() with the default flags): the prefix, IN= and OUT=,
 * MAC= (the link header of the interface the packet came in on, when it
 * came in on one), then the IP header's fields, the transport's, and
 * MARK= when the packet carries a mark.  Each line is stamped with the
 * capture time instead of the kernel's uptime.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fw.h"
#include "log.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Append printf-style text to the line (dropped past its end). */
static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= size)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n += (size_t)r < size - *n ? (size_t)r : size - *n - 1;
}

#define ADD(...) add(buf, size, n, __VA_ARGS__)

/* nf_log_dump_tcp_header() with the default flags. */
static void log_tcp(char *buf, size_t size, size_t *n, const uint8_t *th,
		    uint32_t cap, uint32_t len, bool fragment, unsigned flags)
{
	uint8_t f;

	ADD("PROTO=TCP ");
	if (fragment)
		return;
	if (cap < 20) {
		ADD("INCOMPLETE [%u bytes] ", len);
		return;
	}
	ADD("SPT=%u DPT=%u ", be16(th), be16(th + 2));
	if (flags & FW_LOG_TCPSEQ)
		ADD("SEQ=%u ACK=%u ", be32(th + 4), be32(th + 8));
	ADD("WINDOW=%u ", be16(th + 14));
	/* the reserved bits of the flag word (three since AE took one) */
	ADD("RES=0x%02x ", (unsigned)((be32(th + 12) & 0x0e000000u) >> 22) &
				   0xff);
	f = th[13];
	if (th[12] & 0x01)
		ADD("AE ");
	if (f & 0x80)
		ADD("CWR ");
	if (f & 0x40)
		ADD("ECE ");
	if (f & 0x20)
		ADD("URG ");
	if (f & 0x10)
		ADD("ACK ");
	if (f & 0x08)
		ADD("PSH ");
	if (f & 0x04)
		ADD("RST ");
	if (f & 0x02)
		ADD("SYN ");
	if (f & 0x01)
		ADD("FIN ");
	ADD("URGP=%u ", be16(th + 18));
	if ((flags & FW_LOG_TCPOPT) && (th[12] >> 4) * 4u > 20) {
		uint32_t optlen = (th[12] >> 4) * 4u - 20, i;

		if (cap < 20 + optlen) {
			ADD("OPT (TRUNCATED)");
			return;
		}
		ADD("OPT (");
		for (i = 0; i < optlen; i++)
			ADD("%02X", th[20 + i]);
		ADD(") ");
	}
}

static void log_udp(char *buf, size_t size, size_t *n, uint8_t proto,
		    const uint8_t *uh, uint32_t cap, uint32_t len,
		    bool fragment)
{
	ADD(proto == 17 ? "PROTO=UDP " : "PROTO=UDPLITE ");
	if (fragment)
		return;
	if (cap < 8) {
		ADD("INCOMPLETE [%u bytes] ", len);
		return;
	}
	ADD("SPT=%u DPT=%u LEN=%u ", be16(uh), be16(uh + 2), be16(uh + 4));
}

static void log_ipv4(char *buf, size_t size, size_t *n, const uint8_t *ih,
		     uint32_t cap, bool outer, uint32_t mark, unsigned dec,
		     unsigned flags);

/* ICMP: type and code, then per type (dump_ipv4_packet()). */
static void log_icmp(char *buf, size_t size, size_t *n, const uint8_t *ic,
		     uint32_t cap, uint32_t len, bool outer, unsigned flags)
{
	static const uint8_t required[19] = {
		[0] = 4, [3] = 28, [4] = 28, [5] = 28, [8] = 4, [11] = 28,
		[12] = 28, [13] = 20, [14] = 20, [17] = 12, [18] = 12,
	};
	uint8_t type;

	ADD("PROTO=ICMP ");
	if (cap < 8 && len < 8) {
		ADD("INCOMPLETE [%u bytes] ", len);
		return;
	}
	if (cap < 4)
		return;
	type = ic[0];
	ADD("TYPE=%u CODE=%u ", type, ic[1]);
	if (type <= 18 && required[type] && len < required[type]) {
		ADD("INCOMPLETE [%u bytes] ", len);
		return;
	}
	switch (type) {
	case 0:
	case 8:
		if (cap >= 8)
			ADD("ID=%u SEQ=%u ", be16(ic + 4), be16(ic + 6));
		break;
	case 12:
		if (cap >= 8)
			ADD("PARAMETER=%u ", ic[4]);
		break;
	case 5:
		if (cap >= 8)
			ADD("GATEWAY=%u.%u.%u.%u ", ic[4], ic[5], ic[6], ic[7]);
		/* fall through */
	case 3:
	case 4:
	case 11:
		if (outer && cap > 8) {
			ADD("[");
			log_ipv4(buf, size, n, ic + 8, cap - 8, false, 0, 0,
				 flags);
			ADD("] ");
		}
		if (type == 3 && ic[1] == 4 && cap >= 8)
			ADD("MTU=%u ", be16(ic + 6));
		break;
	default:
		break;
	}
}

static void log_ipv4(char *buf, size_t size, size_t *n, const uint8_t *ih,
		     uint32_t cap, bool outer, uint32_t mark, unsigned dec,
		     unsigned flags)
{
	uint32_t hl, tot;
	uint16_t frag;
	const uint8_t *l4;
	uint32_t l4cap, l4len;
	bool fragment;

	if (cap < 20) {
		ADD("TRUNCATED");
		return;
	}
	hl = (uint32_t)(ih[0] & 0x0f) * 4;
	tot = be16(ih + 2);
	frag = be16(ih + 6);
	ADD("SRC=%u.%u.%u.%u DST=%u.%u.%u.%u ", ih[12], ih[13], ih[14], ih[15],
	    ih[16], ih[17], ih[18], ih[19]);
	ADD("LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u ", tot, ih[1] & 0x1e,
	    ih[1] & 0xe0, ih[8] >= dec ? ih[8] - dec : 0, be16(ih + 4));
	if (frag & 0x8000)
		ADD("CE ");
	if (frag & 0x4000)
		ADD("DF ");
	if (frag & 0x2000)
		ADD("MF ");
	if (frag & 0x1fff)
		ADD("FRAG:%u ", frag & 0x1fff);
	if ((flags & FW_LOG_IPOPT) && hl > 20) {
		uint32_t i;

		if (cap < hl) {
			ADD("TRUNCATED");
			return;
		}
		ADD("OPT (");
		for (i = 20; i < hl; i++)
			ADD("%02X", ih[i]);
		ADD(") ");
	}
	fragment = (frag & 0x1fff) != 0;
	l4 = ih + (hl < cap ? hl : cap);
	l4cap = hl < cap ? cap - hl : 0;
	l4len = tot > hl ? tot - hl : 0;
	if (l4cap > l4len && outer)
		l4cap = l4len;
	switch (ih[9]) {
	case 6:
		log_tcp(buf, size, n, l4, l4cap, l4len, fragment, flags);
		break;
	case 17:
	case 136:
		log_udp(buf, size, n, ih[9], l4, l4cap, l4len, fragment);
		break;
	case 1:
		if (fragment) {
			ADD("PROTO=ICMP ");
			break;
		}
		log_icmp(buf, size, n, l4, l4cap, l4len, outer, flags);
		break;
	case 51:
		if (fragment)
			break;
		ADD("PROTO=AH ");
		if (l4cap < 8)
			ADD("INCOMPLETE [%u bytes] ", l4len);
		else
			ADD("SPI=0x%x ", be32(l4 + 4));
		break;
	case 50:
		ADD("PROTO=ESP ");
		if (fragment)
			break;
		if (l4cap < 8)
			ADD("INCOMPLETE [%u bytes] ", l4len);
		else
			ADD("SPI=0x%x ", be32(l4));
		break;
	default:
		ADD("PROTO=%u ", ih[9]);
	}
	if (outer && mark)
		ADD("MARK=0x%x ", mark);
}

/* %pI6: eight groups of four hex digits. */
static void addr6(char *buf, size_t size, size_t *n, const uint8_t *a)
{
	int i;

	for (i = 0; i < 8; i++)
		ADD(i ? ":%04x" : "%04x", be16(a + 2 * i));
}

static void log_ipv6(char *buf, size_t size, size_t *n,
		     const struct ct_pkt *pkt, uint32_t mark, unsigned dec,
		     unsigned flags)
{
	const uint8_t *ih = pkt->l3;
	const uint8_t *l4 = pkt->l4;

	if (!ih || pkt->l3cap < 40) {
		ADD("TRUNCATED");
		return;
	}
	ADD("SRC=");
	addr6(buf, size, n, ih + 8);
	ADD(" DST=");
	addr6(buf, size, n, ih + 24);
	ADD(" LEN=%u TC=%u HOPLIMIT=%u FLOWLBL=%u ", be16(ih + 4) + 40u,
	    (unsigned)((be32(ih) & 0x0ff00000u) >> 20),
	    ih[7] >= dec ? ih[7] - dec : 0,
	    (unsigned)(be32(ih) & 0x000fffffu));
	switch (pkt->l4num) {
	case 6:
		log_tcp(buf, size, n, l4, pkt->l4cap, pkt->l4len, false,
			flags);
		break;
	case 17:
	case 136:
		log_udp(buf, size, n, pkt->l4num, l4, pkt->l4cap, pkt->l4len,
			false);
		break;
	case 58:
		ADD("PROTO=ICMPv6 ");
		if (pkt->l4cap < 8) {
			ADD("INCOMPLETE [%u bytes] ", pkt->l4len);
			break;
		}
		ADD("TYPE=%u CODE=%u ", l4[0], l4[1]);
		if (l4[0] == 128 || l4[0] == 129)
			ADD("ID=%u SEQ=%u ", be16(l4 + 4), be16(l4 + 6));
		else if (l4[0] == 4)
			ADD("POINTER=%08x ", be32(l4 + 4));
		if (l4[0] == 2)
			ADD("MTU=%u ", be32(l4 + 4));
		break;
	default:
		ADD("PROTO=%u ", pkt->l4num);
	}
	if (mark)
		ADD("MARK=0x%x ", mark);
}

size_t fw_log_format(char *buf, size_t size, const char *prefix,
		     unsigned flags, const struct ct_hookpkt *hp,
		     const uint8_t *mac, size_t maclen)
{
	const struct ct_pkt *pkt = hp->pkt;
	size_t len = 0, *n = &len, i;
	char in[17], out[17];
	bool has_out = hp->hook == CT_HOOK_FORWARD ||
		       hp->hook == CT_HOOK_POSTROUTING ||
		       hp->hook == CT_HOOK_OUTPUT;
	/* ip_forward() has decremented the TTL before FORWARD */
	unsigned fwd = !hp->local && (hp->hook == CT_HOOK_FORWARD ||
				      hp->hook == CT_HOOK_POSTROUTING);

	if (size == 0)
		return 0;
	buf[0] = '\0';
	memcpy(in, hp->iifname, 16);
	in[16] = '\0';
	memcpy(out, hp->oifname, 16);
	out[16] = '\0';
	ADD("%sIN=%s OUT=%s ", prefix ? prefix : "", in, has_out ? out : "");
	/* MAC= whenever there is an input device: forwarded packets keep
	 * theirs in POSTROUTING too */
	if (hp->iifname[0] != '\0' && (flags & FW_LOG_MACDECODE)) {
		/* dump_mac_header(): an Ethernet header decoded */
		if (maclen >= 14)
			ADD("MACSRC=%02x:%02x:%02x:%02x:%02x:%02x "
			    "MACDST=%02x:%02x:%02x:%02x:%02x:%02x "
			    "MACPROTO=%04x ", mac[6], mac[7], mac[8], mac[9],
			    mac[10], mac[11], mac[0], mac[1], mac[2], mac[3],
			    mac[4], mac[5], be16(mac + 12));
	} else if (hp->iifname[0] != '\0') {
		ADD("MAC=");
		for (i = 0; i < maclen; i++)
			ADD(i ? ":%02x" : "%02x", mac[i]);
		ADD(" ");
	}
	if (pkt->l3num == CT_L3_IPV4)
		log_ipv4(buf, size, n, pkt->l3, pkt->l3cap, true, hp->mark,
			 fwd, flags);
	else
		log_ipv6(buf, size, n, pkt, hp->mark, fwd, flags);
	return len;
}
