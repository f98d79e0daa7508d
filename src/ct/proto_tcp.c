/* \summary: TCP tracker: kernel state table, window tracking, RST rules */
/*
 * This file mirrors net/netfilter/nf_conntrack_proto_tcp.c of Linux 6.1 to
 * 6.18 (the logic is unchanged up to 7.0): the transition table indexed by
 * [direction][flag class][old state], the exceptions handled after the
 * lookup (reopen, ignore and resync, challenge ACKs, simultaneous open, RST
 * acceptance), window tracking after Guido van Rooij's "Real Stateful TCP
 * Packet Filtering in IP Filter" and the timeout rules.  It is written from
 * the behaviour of that file's tcp_conntracks[] table,
 * nf_conntrack_tcp_packet(), tcp_in_window() and nf_tcp_handle_invalid(),
 * not copied.
 *
 * The model, as the kernel's: we are the man in the middle and see every
 * packet both ends see.  When our idea of the connection and the packets
 * disagree we prefer to let packets through unchanged ("ignore") rather than
 * break a connection we may be out of sync with.
 *
 * The 5.10 and 5.15 profiles (settings.c: tcp_5_10) switch to the 5.10
 * LTS rules: window failures are INVALID (no ignore category, no overshoot
 * workaround), the 5.10 re-initialisation and window-scale rules,
 * tcp_options clears all flags, no early-drop shortcut / last_index!=SYN /
 * challenge-ACK RST rules, no out-of-window FIN/RST timeout shortening, a
 * retransmitted SYN refreshes the timeout, and the 5.10 log texts.  The
 * seq==0 RST rule and tcp_ignore_invalid_rst came with 5.14 (tcp_rst_5_14:
 * 5.15 has them, 5.10 not).
 *
 * Deviations from the kernel (none observable in the replay's output unless
 * noted):
 *  - NAT sequence offsets are always 0; synproxy, cttimeout policies,
 *    FIXED_TIMEOUT and nf_conntrack_tcp_set_closing are not modelled.
 *  - TCP options cut off by the capture's snap length are treated as
 *    absent, like a failed skb_header_pointer(); --explain says so.  A TCP
 *    header itself cut off gives INVALID with a reason saying so.
 *  - A header shorter than 20 bytes is INVALID "truncated packet" (the
 *    kernel makes it INVALID without a log line); a refused pickup with
 *    tcp_loose=0 gets a descriptive reason (the kernel logs nothing).
 *  - The remaining-time comparisons of the out-of-window FIN/RST rule are
 *    done in nanoseconds instead of jiffies.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../bytes.h"
#include "../common.h"
#include "../decode.h"
#include "../settings.h"
#include "conn.h"
#include "core.h"
#include "csum.h"
#include "event.h"
#include "l4proto.h"
#include "tuple.h"

#define TCP_HDR_LEN 20
#define TCP_MAX_WSCALE 14
/* Lowest value MAXACKWINDOW() takes: the "ACK under lower bound" slack. */
#define TCP_MAXACKWIN_MIN 66000u

/* Flag bits of header byte 13. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* Option kinds (RFC 9293, 7323, 2018). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8

/* Flag class of a segment: the middle index of the state table. */
enum tcp_index {
	TCP_SYN_SET = 0,
	TCP_SYNACK_SET,
	TCP_FIN_SET,
	TCP_ACK_SET,
	TCP_RST_SET,
	TCP_NONE_SET,
	TCP_INDEX_MAX
};

#define sNO CT_TCP_NONE
#define sSS CT_TCP_SYN_SENT
#define sSR CT_TCP_SYN_RECV
#define sES CT_TCP_ESTABLISHED
#define sFW CT_TCP_FIN_WAIT
#define sCW CT_TCP_CLOSE_WAIT
#define sLA CT_TCP_LAST_ACK
#define sTW CT_TCP_TIME_WAIT
#define sCL CT_TCP_CLOSE
#define sS2 CT_TCP_SYN_SENT2
#define sIV CT_TCP_MAX
#define sIG CT_TCP_IGNORE

/*
 * What each state means to a middlebox that only sees packets:
 *   NONE       nothing seen yet
 *   SYN_SENT   the originator's SYN
 *   SYN_SENT2  SYNs from both ends (simultaneous open)
 *   SYN_RECV   the responder's SYN/ACK
 *   ESTABLISHED the handshake's ACK (or any ACK, for a picked-up flow)
 *   FIN_WAIT   a FIN from one end
 *   CLOSE_WAIT that FIN acknowledged
 *   LAST_ACK   FINs from both ends
 *   TIME_WAIT  the ACK of the second FIN
 *   CLOSE      a RST
 * sIV marks packets that make no sense in the state (INVALID); sIG marks
 * packets that could be valid if our picture is stale (a new SYN on a
 * reused port, a late SYN/ACK), so they pass without changing anything and
 * the ends' reaction (RST or SYN/ACK) tells us later who was right.
 */
static const uint8_t tcp_conntracks[2][TCP_INDEX_MAX][CT_TCP_MAX] = {
	[CT_DIR_ORIGINAL] = {
/*		     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
/* syn */	   { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
/*
 * NONE: a SYN opens a connection.  SYN_SENT: the client tried again.
 * SYN_RECV..LAST_ACK: a SYN inside a live connection is either a port being
 *   reused behind our back or garbage; the server's answer decides.
 * TIME_WAIT, CLOSE: RFC 1122 lets a new SYN reopen a closed connection
 *   (the code below decides between reopen and ignore).
 * SYN_SENT2: the originator repeats its SYN during a simultaneous open.
 */
/* synack */	   { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
/*
 * Only in a simultaneous open does the originator send a SYN/ACK: from
 * SYN_SENT2 it is the normal step, and from SYN_RECV a repeat of it.  In
 * every other state the originator has no business acknowledging a SYN.
 */
/* fin */	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*
 * No FIN before the peer has answered the SYN (NONE, SYN_SENT, SYN_SENT2).
 * SYN_RECV/ESTABLISHED: this end starts the close.  FIN_WAIT/CLOSE_WAIT: the
 * second FIN (or this end's first while the other one is already closing).
 * LAST_ACK, TIME_WAIT, CLOSE: repeats that leave the state alone.
 */
/* ack */	   { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
/*
 * NONE: an ACK with no entry is a connection picked up mid-stream.
 * SYN_SENT/SYN_SENT2: the client cannot ACK a SYN/ACK we have not seen.
 * SYN_RECV: the third packet of the handshake.  FIN_WAIT: the FIN is
 * acknowledged.  LAST_ACK: the last ACK.  Other states keep their value.
 */
/* rst */	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*
 * A RST closes whatever exists (subject to the sequence checks below); it
 * cannot create an entry.
 */
/* none */	   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
/*
 * A segment without SYN, FIN, ACK or RST never reaches the table (the flag
 * check rejects it first); the row exists for completeness.
 */
	},
	[CT_DIR_REPLY] = {
/*		     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
/* syn */	   { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
/*
 * SYN_SENT: both ends sent a SYN, a simultaneous open (SYN_SENT2 repeats it).
 * TIME_WAIT: the old server opening a new connection back; reopen rules
 *   apply.  Elsewhere a SYN from the responder is invalid.  NONE cannot be
 *   reached in this direction.
 */
/* synack */	   { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
/*
 * SYN_SENT, SYN_SENT2: the normal answer to the SYN(s).
 * SYN_RECV: a retransmitted SYN/ACK.  Later states: a late retransmission,
 *   or the answer to a SYN we ignored (the resync rule below uses it).
 */
/* fin */	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*
 * Same as the originator's FIN: no FIN before the handshake has a
 * SYN/ACK; closing starts from SYN_RECV/ESTABLISHED; repeats keep the state.
 */
/* ack */	   { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
/*
 * SYN_SENT/SYN_SENT2: the responder ACKs without SYN - a half-open
 * connection on its side or a challenge ACK; ignore it but remember it.
 * SYN_RECV: an ACK answering a repeated SYN, the handshake is not complete
 * (simultaneous open promotes it in the code below).  ESTABLISHED:
 * normal traffic.  FIN_WAIT: the FIN acknowledged.  LAST_ACK: the last ACK.
 */
/* rst */	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*
 * As in the original direction: a RST closes (subject to the checks).
 */
/* none */	   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
/*
 * Unreachable, as above.
 */
	},
};

/* /proc and conntrack names, indexed by enum ct_tcp_state. */
static const char *const tcp_state_names[] = {
	[CT_TCP_NONE] = "NONE",
	[CT_TCP_SYN_SENT] = "SYN_SENT",
	[CT_TCP_SYN_RECV] = "SYN_RECV",
	[CT_TCP_ESTABLISHED] = "ESTABLISHED",
	[CT_TCP_FIN_WAIT] = "FIN_WAIT",
	[CT_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[CT_TCP_LAST_ACK] = "LAST_ACK",
	[CT_TCP_TIME_WAIT] = "TIME_WAIT",
	[CT_TCP_CLOSE] = "CLOSE",
	[CT_TCP_SYN_SENT2] = "SYN_SENT2",
};

_Static_assert(CT_ARRAY_SIZE(tcp_state_names) == CT_TCP_MAX,
	       "one name per real TCP state");

const char *ct_tcp_state_text(unsigned state)
{
	return state < CT_TCP_MAX ? tcp_state_names[state] : "?";
}
_Static_assert(CT_ARRAY_SIZE(tcp_conntracks[0][0]) == CT_TCP_MAX,
	       "one table column per real TCP state");
_Static_assert(CT_TCP_MAX < 256 && CT_TCP_IGNORE < 256,
	       "table cells are bytes");

/*
 * Which flag combinations the kernel lets reach the tracker, indexed by
 * FIN|SYN|RST|ACK|URG (PSH, ECE and CWR never matter).
 */
static const bool tcp_valid_flags[(TH_FIN | TH_SYN | TH_RST | TH_ACK |
				   TH_URG) + 1] = {
	[TH_SYN] = true,
	[TH_SYN | TH_URG] = true,
	[TH_SYN | TH_ACK] = true,
	[TH_RST] = true,
	[TH_RST | TH_ACK] = true,
	[TH_FIN | TH_ACK] = true,
	[TH_FIN | TH_ACK | TH_URG] = true,
	[TH_ACK] = true,
	[TH_ACK | TH_URG] = true,
};

/* The fields of one segment the tracker uses, read byte by byte. */
struct tcp_seg {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint16_t win;          /* raw, unscaled */
	uint8_t flags;         /* header byte 13 */
	uint32_t hdrlen;       /* doff * 4 */
	uint32_t end;          /* seq + payload + SYN + FIN */
	const uint8_t *opt;    /* options, NULL when not fully captured */
	uint32_t optlen;
	enum tcp_index index;
};

/* Result of the window check. */
enum tcp_win_res {
	TCP_WIN_ACCEPT = 0,
	TCP_WIN_IGNORE,
	TCP_WIN_INVALID,
};

static inline bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

static bool tcp_is_510(const struct ct_settings *set)
{
	return ct_kernel_info(set->kernel)->tcp_5_10;
}

/* Append a formatted note to ctx->explain: ct_vexplain(). */
static void tcp_explain(struct ct_pctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tcp_explain(struct ct_pctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ct_vexplain(ctx, fmt, ap);
	va_end(ap);
}

/* Set ctx->reason to a formatted text kept in ctx->reason_buf. */
static void tcp_reason(struct ct_pctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tcp_reason(struct ct_pctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->reason_buf, sizeof(ctx->reason_buf), fmt, ap);
	va_end(ap);
	ctx->reason = ctx->reason_buf;
}

static enum tcp_index tcp_get_index(uint8_t flags)
{
	if (flags & TH_RST)
		return TCP_RST_SET;
	if (flags & TH_SYN)
		return (flags & TH_ACK) ? TCP_SYNACK_SET : TCP_SYN_SET;
	if (flags & TH_FIN)
		return TCP_FIN_SET;
	if (flags & TH_ACK)
		return TCP_ACK_SET;
	return TCP_NONE_SET;
}

/*
 * Read the header into *s.  Returns false with ctx->reason set when the
 * header is too short or not captured.  The segment end counts the payload
 * the IP header announces, so snap-length cuts do not matter.
 */
static bool tcp_parse(struct ct_pctx *ctx, struct tcp_seg *s)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes th = ct_pkt_l4(pkt);

	if (pkt->l4len < TCP_HDR_LEN) {
		ctx->reason = "truncated packet";
		return false;
	}
	if (!bytes_has(&th, 0, TCP_HDR_LEN)) {
		ctx->reason = "TCP header not captured (snap length)";
		return false;
	}
	s->sport = bytes_be16(&th, 0);
	s->dport = bytes_be16(&th, 2);
	s->seq = bytes_be32(&th, 4);
	s->ack = bytes_be32(&th, 8);
	s->hdrlen = (uint32_t)(bytes_u8(&th, 12) >> 4) * 4;
	s->flags = bytes_u8(&th, 13);
	s->win = bytes_be16(&th, 14);
	if (s->hdrlen < TCP_HDR_LEN || pkt->l4len < s->hdrlen) {
		ctx->reason = "truncated packet";
		return false;
	}
	s->optlen = s->hdrlen - TCP_HDR_LEN;
	s->opt = bytes_has(&th, 0, s->hdrlen) ? bytes_ptr(&th, TCP_HDR_LEN)
					      : NULL;
	s->end = s->seq + (pkt->l4len - s->hdrlen) +
		 ((s->flags & TH_SYN) ? 1 : 0) + ((s->flags & TH_FIN) ? 1 : 0);
	s->index = tcp_get_index(s->flags);
	return true;
}

/*
 * One step of the option walk of tcp_options() and tcp_sack() in the
 * kernel's nf_conntrack_proto_tcp.c: skips NOPs and yields the next
 * option's kind and its value (the size byte says 2 + val->len).  False
 * at EOL, at the end, and at a malformed or partial option: those end
 * the walk, as in the stack.
 */
static inline bool tcp_opt_next(struct bytes *o, uint8_t *kind,
				struct bytes *val)
{
	uint8_t k, size;

	while (bytes_get_u8(o, &k)) {
		if (k == TCPOPT_EOL)
			return false;
		if (k == TCPOPT_NOP)
			continue;
		if (!bytes_get_u8(o, &size) || size < 2 ||
		    !bytes_get_view(o, size - 2u, val))
			return false;
		*kind = k;
		return true;
	}
	return false;
}

/*
 * Window scale and SACK-permitted from a SYN's options into *st, the way
 * the kernel's simplified option parser reads them.  No options at all
 * leaves *st alone; otherwise scale and flags start from scratch (keeping
 * BE_LIBERAL from 5.11 on).
 */
static void tcp_options(const struct tcp_seg *s, struct ct_tcp_dir *st,
			bool k510, struct ct_pctx *ctx)
{
	struct bytes o = bytes_view(s->opt, s->optlen), val;
	uint8_t kind, shift;

	if (s->optlen == 0)
		return;
	if (s->opt == NULL) {
		if (ctx)
			tcp_explain(ctx, "options not captured, ignored");
		return;
	}
	st->td_scale = 0;
	st->flags &= k510 ? 0 : CT_TCP_FLAG_BE_LIBERAL;

	while (tcp_opt_next(&o, &kind, &val)) {
		if (kind == TCPOPT_SACK_PERM && val.len == 0) {
			st->flags |= CT_TCP_FLAG_SACK_PERM;
		} else if (kind == TCPOPT_WINDOW && val.len == 1 &&
			   bytes_get_u8(&val, &shift)) {
			/* RFC 7323 2.3: shifts above 14 are treated as 14 */
			st->td_scale = shift > TCP_MAX_WSCALE ? TCP_MAX_WSCALE
							      : shift;
			st->flags |= CT_TCP_FLAG_WINDOW_SCALE;
		}
	}
}

/*
 * Raise *sack to the highest right edge of the first SACK option's blocks
 * (RFC 2018), so an ACK that selectively covers data counts as covering it.
 */
static void tcp_sack(const struct tcp_seg *s, uint32_t *sack)
{
	struct bytes o = bytes_view(s->opt, s->optlen), val;
	uint8_t kind;

	if (o.len == 0)
		return;
	/* the common timestamp-only layout carries no SACK */
	if (o.len == 12 && bytes_u8(&o, 0) == TCPOPT_NOP &&
	    bytes_u8(&o, 1) == TCPOPT_NOP &&
	    bytes_u8(&o, 2) == TCPOPT_TIMESTAMP && bytes_u8(&o, 3) == 10)
		return;

	while (tcp_opt_next(&o, &kind, &val)) {
		if (kind == TCPOPT_SACK && val.len >= 8 && val.len % 8 == 0) {
			uint32_t left, right;

			while (bytes_get_be32(&val, &left) &&
			       bytes_get_be32(&val, &right))
				if (seq_after(right, *sack))
					*sack = right;
			return;
		}
	}
}

static bool tcp_error(struct ct_pctx *ctx)
{
	struct tcp_seg s;

	if (!tcp_parse(ctx, &s))
		return false;
	/* The emulated box is a router: every packet is checked at
	 * PRE_ROUTING, where the kernel verifies checksums. */
	if (ctx->set->checksum && !ct_l4_csum_ok(ctx->pkt)) {
		ctx->reason = "bad checksum";
		return false;
	}
	if (!tcp_valid_flags[s.flags & ~(TH_ECE | TH_CWR | TH_PSH)]) {
		ctx->reason = "invalid tcp flag combination";
		return false;
	}
	return true;
}

static bool tcp_pkt_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t)
{
	/* the kernel reads only the two ports here (nf_ct_get_tuple_ports) */
	return ct_l4_ports_to_tuple(ctx, t, "truncated packet",
				    "TCP ports not captured (snap length)");
}


static bool tcp_new(struct ct_conn *ct, struct ct_pctx *ctx)
{
	struct ct_tcp *tcp = &ct->proto.tcp;
	struct tcp_seg s;
	uint8_t new_state;

	if (!tcp_parse(ctx, &s))
		return false;
	new_state = tcp_conntracks[CT_DIR_ORIGINAL][s.index][sNO];
	if (new_state >= CT_TCP_MAX) {
		ctx->reason = "invalid new";
		return false;
	}
	if (new_state != CT_TCP_SYN_SENT && !ctx->set->tcp_loose) {
		ctx->reason = "no SYN and nf_conntrack_tcp_loose=0 "
			      "(mid-stream pickup disabled)";
		return false;
	}

	memset(tcp, 0, sizeof(*tcp));
	tcp->seen[0].td_end = s.end;
	tcp->seen[0].td_maxwin = s.win ? s.win : 1;
	if (new_state == CT_TCP_SYN_SENT) {
		tcp->seen[0].td_maxend = s.end;
		tcp_options(&s, &tcp->seen[0], tcp_is_510(ctx->set), ctx);
	} else {
		/* Picked up mid-stream: the handshake's window scale is
		 * unknown, so both directions are tracked liberally. */
		tcp->seen[0].td_maxend = s.end + tcp->seen[0].td_maxwin;
		tcp->seen[0].flags = CT_TCP_FLAG_SACK_PERM |
				     CT_TCP_FLAG_BE_LIBERAL;
		tcp->seen[1].flags = CT_TCP_FLAG_SACK_PERM |
				     CT_TCP_FLAG_BE_LIBERAL;
		tcp_explain(ctx, "picked up mid-stream (tcp_loose=1): "
			    "window tracking liberal both ways");
	}
	tcp->last_index = TCP_NONE_SET;
	return true;
}

/*
 * (Re)initialise the sender from a SYN or SYN/ACK: a fresh sequence space
 * and fresh options.  RFC 7323 scales windows only when both ends offered
 * the option, so when the answer lacks it both scales go back to 0.
 */
static void tcp_init_sender(struct ct_tcp_dir *sender,
			    struct ct_tcp_dir *receiver,
			    const struct tcp_seg *s, enum ct_dir dir, bool k510,
			    struct ct_pctx *ctx)
{
	sender->td_end = s->end;
	sender->td_maxend = s->end;
	sender->td_maxwin = s->win ? s->win : 1;
	tcp_options(s, sender, k510, ctx);
	if ((k510 || dir == CT_DIR_REPLY) &&
	    !((sender->flags & CT_TCP_FLAG_WINDOW_SCALE) &&
	      (receiver->flags & CT_TCP_FLAG_WINDOW_SCALE))) {
		sender->td_scale = 0;
		receiver->td_scale = 0;
	}
}

static void tcp_explain_window(struct ct_pctx *ctx, const char *what,
			       const struct ct_tcp_dir *sender,
			       const struct ct_tcp_dir *receiver,
			       uint32_t seq, uint32_t ack, uint32_t sack,
			       uint32_t end, uint32_t win)
{
	tcp_explain(ctx,
		    "window %s: seq=%u ack=%u sack=%u end=%u win=%u; "
		    "sender end=%u maxend=%u maxwin=%u scale=%u; "
		    "receiver end=%u maxend=%u maxwin=%u scale=%u",
		    what, seq, ack, sack, end, win, sender->td_end,
		    sender->td_maxend, sender->td_maxwin, sender->td_scale,
		    receiver->td_end, receiver->td_maxend, receiver->td_maxwin,
		    receiver->td_scale);
}

/*
 * A failed window check: a sender marked liberal (picked-up flows) or the
 * tcp_be_liberal sysctl turns it into acceptance, but without the window
 * updates; otherwise the kernel's log text becomes the reason (INVALID) or
 * an explain note (IGNORE).
 */
static enum tcp_win_res tcp_win_fail(struct ct_pctx *ctx,
				     const struct ct_tcp_dir *sender,
				     enum tcp_win_res res, const char *check,
				     const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum tcp_win_res tcp_win_fail(struct ct_pctx *ctx,
				     const struct ct_tcp_dir *sender,
				     enum tcp_win_res res, const char *check,
				     const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if ((sender->flags & CT_TCP_FLAG_BE_LIBERAL) ||
	    ctx->set->tcp_be_liberal) {
		tcp_explain(ctx, "%s failed (%s) but accepted: %s", check,
			    text, ctx->set->tcp_be_liberal
					  ? "tcp_be_liberal=1"
					  : "sender is liberal (picked up)");
		return TCP_WIN_ACCEPT;
	}
	if (res == TCP_WIN_INVALID) {
		tcp_reason(ctx, "%s", text);
		tcp_explain(ctx, "%s failed: INVALID", check);
	} else {
		tcp_explain(ctx, "%s failed: ignored (%s)", check, text);
	}
	return res;
}

/*
 * The window check (tcp_in_window).  The four inequalities, with sender =
 * seen[dir] and receiver = seen[!dir]:
 *   I.   seq <= sender.td_maxend             (data within the peer's window)
 *   II.  end >= sender.td_end - receiver.td_maxwin  (not ancient data)
 *   III. sack <= receiver.td_end             (ACKs only what was sent)
 *   IV.  sack >= receiver.td_end - MAXACKWINDOW  (not an ancient ACK)
 * td_maxend is the highest ack + window the peer advertised, td_maxwin the
 * largest window a side advertised, td_end the highest seq + len it sent.
 * Only an accepted packet updates them.  Returns ACCEPT, IGNORE (let it
 * through, change nothing) or INVALID with ctx->reason set.
 */
static enum tcp_win_res tcp_in_window(struct ct_conn *ct, struct ct_pctx *ctx,
				      const struct tcp_seg *s)
{
	struct ct_tcp *st = &ct->proto.tcp;
	const enum ct_dir dir = ctx->dir;
	struct ct_tcp_dir *sender = &st->seen[dir];
	struct ct_tcp_dir *receiver = &st->seen[!dir];
	const bool k510 = tcp_is_510(ctx->set);
	const bool syn = s->flags & TH_SYN, ackf = s->flags & TH_ACK;
	const bool rst = s->flags & TH_RST;
	uint32_t seq = s->seq, ack = s->ack, sack = s->ack, end = s->end;
	uint32_t win = s->win, swin, maxackwin, low;

	if (receiver->flags & CT_TCP_FLAG_SACK_PERM)
		tcp_sack(s, &sack);
	/* what NAT added to the peer's sequence numbers (a NAT helper
	 * changed a payload's length): this side acknowledges those */
	if (ct->status & CT_IPS_SEQ_ADJUST) {
		int32_t roff = ct_seqadj_offset(ct, !dir, ack - 1);

		ack -= (uint32_t)roff;
		sack -= (uint32_t)roff;
	}

	if (sender->td_maxwin == 0) {
		/* first packet seen from this side */
		if (syn) {
			tcp_init_sender(sender, receiver, s, dir, k510, ctx);
			if (!ackf) {
				/* the responder's SYN: simultaneous open */
				tcp_explain_window(ctx, "init (simultaneous "
						   "open)", sender, receiver,
						   seq, ack, sack, end, win);
				return TCP_WIN_ACCEPT;
			}
		} else {
			/* mid-stream: take what this packet tells */
			sender->td_end = end;
			swin = win << sender->td_scale;
			sender->td_maxwin = swin ? swin : 1;
			sender->td_maxend = end + sender->td_maxwin;
			if (receiver->td_maxwin == 0) {
				/* the other side is unknown too: make III and
				 * IV pass until it shows up */
				receiver->td_end = sack;
				receiver->td_maxend = sack;
			} else if (sack == receiver->td_end + 1) {
				/* answer to a keep-alive probe, which sends
				 * one byte below the window */
				receiver->td_end++;
			}
		}
	} else if (!k510 && syn && seq_after(end, sender->td_end) &&
		   (st->state == CT_TCP_SYN_SENT ||
		    st->state == CT_TCP_SYN_RECV)) {
		/* RFC 9293 3.4.1: a restarted end may pick a new ISN above
		 * the old one; its SYN(/ACK) replaces what we knew */
		tcp_init_sender(sender, receiver, s, dir, k510, ctx);
		if (dir == CT_DIR_REPLY && !ackf) {
			tcp_explain_window(ctx, "re-init (simultaneous open)",
					   sender, receiver, seq, ack, sack,
					   end, win);
			return TCP_WIN_ACCEPT;
		}
	} else if (k510 &&
		   ((st->state == CT_TCP_SYN_SENT && dir == CT_DIR_ORIGINAL) ||
		    (st->state == CT_TCP_SYN_RECV && dir == CT_DIR_REPLY)) &&
		   seq_after(end, sender->td_end)) {
		sender->td_end = end;
		sender->td_maxend = end;
		sender->td_maxwin = win ? win : 1;
		tcp_options(s, sender, k510, ctx);
	}

	if (!ackf) {
		/* nothing acknowledged: pretend it acks what we know */
		ack = sack = receiver->td_end;
	} else if (rst && ack == 0) {
		/* stacks that set ACK on a RST with a zero ack number */
		ack = sack = receiver->td_end;
	}
	if (rst && seq == 0 && st->state == CT_TCP_SYN_SENT) {
		/* a RST answering a SYN may carry seq 0 */
		seq = end = sender->td_end;
	}

	maxackwin = sender->td_maxwin > TCP_MAXACKWIN_MIN ? sender->td_maxwin
							  : TCP_MAXACKWIN_MIN;
	tcp_explain_window(ctx, "check", sender, receiver, seq, ack, sack, end,
			   win);

	if (k510) {
		bool ok1 = seq_before(seq, sender->td_maxend + 1);
		bool ok2 = !receiver->td_maxwin ||
			   seq_after(end, sender->td_end -
						  receiver->td_maxwin - 1);
		bool ok3 = seq_before(sack, receiver->td_end + 1);
		bool ok4 = seq_after(sack, receiver->td_end - maxackwin - 1);
		const char *text;

		if (!ok1)
			text = "SEQ is over the upper bound (over the window "
			       "of the receiver)";
		else if (!ok2)
			text = "SEQ is under the lower bound (already ACKed "
			       "data retransmitted)";
		else if (!ok3)
			text = "ACK is over the upper bound (ACKed data not "
			       "seen yet)";
		else if (!ok4)
			text = "ACK is under the lower bound (possible overly "
			       "delayed ACK)";
		else
			text = NULL;
		if (text != NULL)
			return tcp_win_fail(ctx, sender, TCP_WIN_INVALID,
					    !ok1 ? "I" : !ok2 ? "II"
						 : !ok3 ? "III" : "IV",
					    "%s", text);
	} else {
		if (!seq_before(seq, sender->td_maxend + 1)) {
			uint32_t overshot = end - sender->td_maxend + 1;
			bool ack_ok = seq_after(sack, receiver->td_end -
							      maxackwin - 1);
			bool in_recv_win =
				receiver->td_maxwin &&
				seq_after(end, sender->td_end -
						       receiver->td_maxwin - 1);

			if (in_recv_win && ack_ok &&
			    overshot <= receiver->td_maxwin &&
			    seq_before(sack, receiver->td_end + 1)) {
				/* Data beyond the advertised window that the
				 * receiver will probably take anyway: note its
				 * end so the ACK for it is not "over upper
				 * bound" later. */
				sender->td_end = end;
				sender->flags |=
					CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
				return tcp_win_fail(
					ctx, sender, TCP_WIN_IGNORE, "I",
					"%u bytes more than expected",
					overshot);
			}
			return tcp_win_fail(ctx, sender, TCP_WIN_INVALID, "I",
					    "SEQ is over upper bound %u (over "
					    "the window of the receiver)",
					    sender->td_maxend + 1);
		}
		if (!seq_before(sack, receiver->td_end + 1))
			return tcp_win_fail(ctx, sender, TCP_WIN_INVALID, "III",
					    "ACK is over upper bound %u (ACKed "
					    "data not seen yet)",
					    receiver->td_end + 1);
		low = sender->td_end - receiver->td_maxwin - 1;
		if (receiver->td_maxwin && !seq_after(end, low))
			return tcp_win_fail(ctx, sender, TCP_WIN_IGNORE, "II",
					    "SEQ is under lower bound %u "
					    "(already ACKed data "
					    "retransmitted)", low);
		if (!seq_after(sack, receiver->td_end - maxackwin - 1))
			return tcp_win_fail(ctx, sender, TCP_WIN_IGNORE, "IV",
					    "ignored ACK under lower bound %u "
					    "(possible overly delayed)",
					    receiver->td_end - maxackwin - 1);
	}

	/* all four hold: learn from the packet (RFC 7323 scaling applies to
	 * every window except a SYN's) */
	if (!syn)
		win <<= sender->td_scale;
	swin = win + (sack - ack);
	if (sender->td_maxwin < swin)
		sender->td_maxwin = swin;
	if (seq_after(end, sender->td_end)) {
		sender->td_end = end;
		sender->flags |= CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
	}
	if (ackf) {
		if (!(sender->flags & CT_TCP_FLAG_MAXACK_SET)) {
			sender->td_maxack = ack;
			sender->flags |= CT_TCP_FLAG_MAXACK_SET;
		} else if (seq_after(ack, sender->td_maxack)) {
			sender->td_maxack = ack;
		}
	}
	if (receiver->td_maxwin != 0 && seq_after(end, sender->td_maxend))
		receiver->td_maxwin += end - sender->td_maxend;
	if (seq_after(sack + win, receiver->td_maxend - 1)) {
		receiver->td_maxend = sack + win;
		if (win == 0)
			receiver->td_maxend++;
	}
	if (ack == receiver->td_end)
		receiver->flags &= (uint8_t)~CT_TCP_FLAG_DATA_UNACKNOWLEDGED;

	/* count identical repeats of the same ACK-class segment */
	if (s->index == TCP_ACK_SET) {
		if (st->last_dir == dir && st->last_seq == seq &&
		    st->last_ack == ack && st->last_end == end &&
		    st->last_win == s->win) {
			st->retrans++;
		} else {
			st->last_dir = (uint8_t)dir;
			st->last_seq = seq;
			st->last_ack = ack;
			st->last_end = end;
			st->last_win = s->win;
			st->retrans = 0;
		}
	}
	return TCP_WIN_ACCEPT;
}

static bool tcp_can_early_drop(const struct ct_conn *ct)
{
	switch (ct->proto.tcp.state) {
	case CT_TCP_FIN_WAIT:
	case CT_TCP_LAST_ACK:
	case CT_TCP_TIME_WAIT:
	case CT_TCP_CLOSE:
	case CT_TCP_CLOSE_WAIT:
		return true;
	default:
		return false;
	}
}

/* "Established" for the RST rules: the state and a confirmed handshake. */
static bool tcp_established(const struct ct_conn *ct)
{
	return ct->proto.tcp.state == CT_TCP_ESTABLISHED &&
	       (ct->status & CT_IPS_ASSURED);
}

/*
 * Set the entry's timeout without counting the packet, as
 * net/netfilter/nf_conntrack_proto_tcp.c, nf_tcp_handle_invalid(), writes
 * ct->timeout itself instead of calling nf_ct_refresh_acct().  The
 * engine's only timeout service also does the accounting, so the counters
 * are put back - but only on an entry that has them: without `counted`
 * packets[] and bytes[] lie past the end of the entry (conn.h), in the
 * next entry of the pool or past the end of its block.
 */
static void tcp_set_timeout(struct ct_conn *ct, struct ct_pctx *ctx,
			    uint32_t seconds)
{
	uint64_t packets, bytes;

	if (!ct->counted) {
		ct_engine_refresh(ctx->eng, ct, ctx, seconds);
		return;
	}
	packets = ct->packets[ctx->dir];
	bytes = ct->bytes[ctx->dir];
	ct_engine_refresh(ctx->eng, ct, ctx, seconds);
	ct->packets[ctx->dir] = packets;
	ct->bytes[ctx->dir] = bytes;
}

/*
 * nf_tcp_handle_invalid (6.1+): an assured connection whose FIN/RST was out
 * of window, answered by a FIN/RST from the other side that is out of
 * window too, is probably dead while we are out of sync; do not let it sit
 * for days - cut the timeout to the unacknowledged-data value.
 */
static void tcp_handle_invalid(struct ct_conn *ct, struct ct_pctx *ctx,
			       enum tcp_index index)
{
	struct ct_tcp *st = &ct->proto.tcp;
	const uint32_t unack = ctx->set->tcp_timeouts[CT_TCP_UNACK];
	ct_time left;

	if (!(ct->status & CT_IPS_ASSURED))
		return;
	if (index != TCP_FIN_SET && index != TCP_RST_SET)
		return;
	if (st->last_dir != ctx->dir &&
	    (st->last_index == TCP_FIN_SET || st->last_index == TCP_RST_SET)) {
		left = ct_conn_expires(ct) - ctx->now;
		if (left < 120 * CT_NSEC_PER_SEC)
			return;
		if (left > (ct_time)unack * CT_NSEC_PER_SEC) {
			tcp_explain(ctx,
				    "packet (index %d, dir %d) response for "
				    "index %d lower timeout to %u s",
				    (int)index, (int)ctx->dir,
				    (int)st->last_index, unack);
			tcp_set_timeout(ct, ctx, unack);
		}
	} else {
		st->last_index = (uint8_t)index;
		st->last_dir = (uint8_t)ctx->dir;
	}
}

/* What the RST rules decided. */
enum tcp_rst_res {
	TCP_RST_CHECK_WINDOW = 0,
	TCP_RST_SKIP_WINDOW,
	TCP_RST_INVALID,
};

/*
 * RST acceptance (RFC 5961 3.2 as conntrack approximates it): a RST must
 * carry the sequence number the peer expects, else it is an attack or a
 * stale packet.  May lower *new_state back to the old state for a RST that
 * is in window but not exact (the real end will send a challenge ACK).
 */
static enum tcp_rst_res tcp_rst_check(struct ct_conn *ct, struct ct_pctx *ctx,
				      const struct tcp_seg *s,
				      uint8_t old_state, uint8_t *new_state)
{
	struct ct_tcp *st = &ct->proto.tcp;
	const enum ct_dir dir = ctx->dir;
	const struct ct_tcp_dir *peer = &st->seen[!dir];
	const bool k510 = tcp_is_510(ctx->set);
	const bool rst514 = ct_kernel_info(ctx->set->kernel)->tcp_rst_5_14;

	/* A closing entry's tuple may already be reused; its sequence
	 * history says nothing, so any RST closes it. */
	if (!k510 && tcp_can_early_drop(ct)) {
		tcp_explain(ctx, "RST in closing state %s: no checks",
			    tcp_state_names[old_state]);
		return TCP_RST_SKIP_WINDOW;
	}

	/* td_maxack is stale if the last packet was a SYN we let through */
	if ((peer->flags & CT_TCP_FLAG_MAXACK_SET) &&
	    (k510 || st->last_index != TCP_SYN_SET)) {
		/* 5.14 on (settings.c, tcp_rst_5_14): 5.15 has these two */
		if (rst514 && s->seq == 0 && !tcp_established(ct))
			return TCP_RST_CHECK_WINDOW;
		if (seq_before(s->seq, peer->td_maxack) &&
		    (!rst514 || !ctx->set->tcp_ignore_invalid_rst)) {
			ctx->reason = "invalid rst";
			tcp_explain(ctx, "RST seq %u below peer's max ack %u",
				    s->seq, peer->td_maxack);
			return TCP_RST_INVALID;
		}
		if (!tcp_established(ct) || s->seq == peer->td_maxack)
			return TCP_RST_CHECK_WINDOW;
		/* a RST right after this side's own data, at its end */
		if (st->last_index == TCP_ACK_SET && st->last_dir == dir &&
		    s->seq == st->last_end)
			return TCP_RST_CHECK_WINDOW;
		tcp_explain(ctx, "RST seq %u inexact (peer's max ack %u): "
			    "state kept, challenge ACK expected",
			    s->seq, peer->td_maxack);
		*new_state = old_state;
	}

	/*
	 * Only the peer of the SYN can answer it: a RST travelling the
	 * same way as the last SYN (e.g. a client aborting its own
	 * connection attempt) goes through the window check like any
	 * other.  Without this, a SYN followed by a bogus RST from the
	 * same side, whose ack field happens to equal last_end (0 unless
	 * an ignored packet set it), would force CLOSE.  Upstream commit
	 * bed6e04be8e6 (May 2026, in the 5.10 to 6.18 stable trees; the
	 * recording kernel 6.18.44 has it, verified on it) added the
	 * direction test to the SYN half only; the ACK half has none.
	 */
	if ((((ct->status & CT_IPS_SEEN_REPLY) &&
	      st->last_index == TCP_SYN_SET && st->last_dir != dir) ||
	     (!(ct->status & CT_IPS_ASSURED) &&
	      st->last_index == TCP_ACK_SET)) &&
	    s->ack == st->last_end) {
		/* the RST answers the SYN or ACK we let through unchecked;
		 * it may acknowledge data the window never saw */
		tcp_explain(ctx, "RST answers an ignored packet: "
			    "window check skipped");
		return TCP_RST_SKIP_WINDOW;
	}
	if (!k510 && old_state == CT_TCP_SYN_SENT &&
	    st->last_index == TCP_ACK_SET && st->last_dir == CT_DIR_REPLY &&
	    s->seq == st->last_ack) {
		tcp_explain(ctx, "RST answers a challenge ACK: "
			    "window check skipped");
		return TCP_RST_SKIP_WINDOW;
	}
	return TCP_RST_CHECK_WINDOW;
}

/*
 * A packet the state table says to ignore: remember enough of it to
 * recognise the answer (a SYN/ACK for an ignored SYN resyncs us, a RST
 * for it closes us), then let it pass untouched.
 */
static void tcp_note_ignored(struct ct_conn *ct, struct ct_pctx *ctx,
			     const struct tcp_seg *s, uint8_t old_state)
{
	struct ct_tcp *st = &ct->proto.tcp;
	const bool k510 = tcp_is_510(ctx->set);

	st->last_index = (uint8_t)s->index;
	st->last_dir = (uint8_t)ctx->dir;
	st->last_seq = s->seq;
	st->last_end = s->end;
	st->last_win = s->win;

	if (s->index == TCP_SYN_SET && ctx->dir == CT_DIR_ORIGINAL) {
		struct ct_tcp_dir opts;

		memset(&opts, 0, sizeof(opts));
		st->last_flags = 0;
		st->last_wscale = 0;
		tcp_options(s, &opts, k510, ctx);
		if (opts.flags & CT_TCP_FLAG_WINDOW_SCALE) {
			st->last_flags |= CT_TCP_FLAG_WINDOW_SCALE;
			st->last_wscale = opts.td_scale;
		}
		if (opts.flags & CT_TCP_FLAG_SACK_PERM)
			st->last_flags |= CT_TCP_FLAG_SACK_PERM;
		/* RFC 5961 4: the peer answers such a SYN with a challenge
		 * ACK, which in LAST_ACK would look like the final ACK */
		if (old_state == CT_TCP_LAST_ACK)
			st->last_flags |= CT_TCP_FLAG_EXP_CHALLENGE_ACK;
	}
	if (!k510 && old_state == CT_TCP_SYN_SENT &&
	    s->index == TCP_ACK_SET && ctx->dir == CT_DIR_REPLY)
		st->last_ack = s->ack;

	if (k510)
		tcp_explain(ctx, "invalid packet ignored in state %s",
			    tcp_state_names[old_state]);
	else
		tcp_explain(ctx, "packet (index %d) in dir %d ignored, "
			    "state %s", (int)s->index, (int)ctx->dir,
			    tcp_state_names[old_state]);
}

/*
 * Resync: a SYN/ACK answering the SYN we ignored means both ends agree on
 * a new connection and we are the stale one.  Rebuild the SYN's side from
 * the notes and forget the other side (it is re-learnt from this SYN/ACK).
 */
static void tcp_resync(struct ct_conn *ct, struct ct_pctx *ctx)
{
	struct ct_tcp *st = &ct->proto.tcp;
	struct ct_tcp_dir *syn_side = &st->seen[st->last_dir];
	struct ct_tcp_dir *me = &st->seen[ctx->dir];

	syn_side->td_end = st->last_end;
	syn_side->td_maxend = st->last_end;
	syn_side->td_maxwin = st->last_win ? st->last_win : 1;
	syn_side->td_scale = st->last_wscale;
	st->last_flags &= (uint8_t)~CT_TCP_FLAG_EXP_CHALLENGE_ACK;
	syn_side->flags = st->last_flags;
	if (tcp_is_510(ctx->set)) {
		memset(me, 0, sizeof(*me));
	} else {
		uint8_t keep = me->flags & CT_TCP_FLAG_BE_LIBERAL;

		memset(me, 0, sizeof(*me));
		me->flags = keep;
	}
	tcp_explain(ctx, "SYN/ACK answers the ignored SYN: resynced");
}

/* Timeout for a committed packet (first matching rule wins). */
static uint32_t tcp_pick_timeout(const struct ct_conn *ct,
				 const struct ct_settings *set,
				 enum tcp_index index, uint8_t old_state,
				 uint8_t new_state)
{
	const struct ct_tcp *st = &ct->proto.tcp;
	const uint32_t *t = set->tcp_timeouts;

	if (st->retrans >= set->tcp_max_retrans &&
	    t[new_state] > t[CT_TCP_RETRANS])
		return t[CT_TCP_RETRANS];
	/* 6.12: only a RST that changes the state (the exact one) lowers the
	 * timeout to CLOSE's; an inexact in-window RST keeps the others
	 * (settings.c: tcp_rst_inexact_keeps_timeout) */
	if (index == TCP_RST_SET &&
	    (old_state != new_state ||
	     !ct_kernel_info(set->kernel)->tcp_rst_inexact_keeps_timeout))
		return t[CT_TCP_CLOSE];
	if (((st->seen[0].flags | st->seen[1].flags) &
	     CT_TCP_FLAG_DATA_UNACKNOWLEDGED) &&
	    t[new_state] > t[CT_TCP_UNACK])
		return t[CT_TCP_UNACK];
	if (st->last_win == 0 && t[new_state] > t[CT_TCP_RETRANS])
		return t[CT_TCP_RETRANS];
	return t[new_state];
}

static enum ct_l4_verdict tcp_packet(struct ct_conn *ct, struct ct_pctx *ctx)
{
	struct ct_tcp *st = &ct->proto.tcp;
	const struct ct_settings *set = ctx->set;
	const bool k510 = tcp_is_510(set);
	const enum ct_dir dir = ctx->dir;
	uint8_t old_state, new_state;
	bool check_window = true;
	uint32_t timeout;
	struct tcp_seg s;

	if (!tcp_parse(ctx, &s))
		return CT_L4_INVALID;

	old_state = st->state;
	new_state = tcp_conntracks[dir][s.index][old_state];

	switch (new_state) {
	case CT_TCP_SYN_SENT:
		if (old_state < CT_TCP_TIME_WAIT)
			break;
		/* RFC 1122 4.2.2.13: a SYN may reopen a connection in
		 * TIME_WAIT.  Only when the old one really closed (a FIN
		 * was seen) or this side aborted it with a RST; otherwise
		 * it is treated like any SYN in a live connection. */
		if (((st->seen[dir].flags | st->seen[!dir].flags) &
		     CT_TCP_FLAG_CLOSE_INIT) ||
		    (st->last_dir == dir && st->last_index == TCP_RST_SET)) {
			tcp_explain(ctx, "SYN reopens the connection in %s: "
				    "old entry destroyed",
				    tcp_state_names[old_state]);
			ctx->kill_cause = CT_DC_REOPENED;
			ct_engine_kill(ctx->eng, ct, ctx);
			return CT_L4_REPEAT;
		}
		/* fall through */
	case CT_TCP_IGNORE:
		if (s.index == TCP_SYNACK_SET &&
		    st->last_index == TCP_SYN_SET && st->last_dir != dir &&
		    s.ack == st->last_end) {
			tcp_resync(ct, ctx);
			old_state = CT_TCP_SYN_SENT;
			new_state = CT_TCP_SYN_RECV;
			break;
		}
		tcp_note_ignored(ct, ctx, &s, old_state);
		return CT_L4_ACCEPT;
	case CT_TCP_MAX:
		if (k510)
			ctx->reason = "invalid state";
		else
			tcp_reason(ctx,
				   "packet (index %d) in dir %d invalid, "
				   "state %s",
				   (int)s.index, (int)dir,
				   tcp_state_names[old_state]);
		return CT_L4_INVALID;
	case CT_TCP_TIME_WAIT:
		/* RFC 5961 4: the ACK after a SYN we ignored in LAST_ACK is
		 * the peer's challenge, not the final ACK; take it once */
		if (old_state == CT_TCP_LAST_ACK && s.index == TCP_ACK_SET &&
		    st->last_dir != dir && st->last_index == TCP_SYN_SET &&
		    (st->last_flags & CT_TCP_FLAG_EXP_CHALLENGE_ACK)) {
			st->last_flags &=
				(uint8_t)~CT_TCP_FLAG_EXP_CHALLENGE_ACK;
			tcp_explain(ctx, "challenge-ack ignored");
			return CT_L4_ACCEPT;
		}
		break;
	case CT_TCP_SYN_SENT2:
		/* the table alone cannot tell a simultaneous open later */
		st->last_flags |= CT_TCP_FLAG_SIMULTANEOUS_OPEN;
		break;
	case CT_TCP_SYN_RECV:
		if (dir == CT_DIR_REPLY && s.index == TCP_ACK_SET &&
		    (st->last_flags & CT_TCP_FLAG_SIMULTANEOUS_OPEN))
			new_state = CT_TCP_ESTABLISHED;
		break;
	case CT_TCP_CLOSE:
		if (s.index != TCP_RST_SET)
			break;
		switch (tcp_rst_check(ct, ctx, &s, old_state, &new_state)) {
		case TCP_RST_INVALID:
			return CT_L4_INVALID;
		case TCP_RST_SKIP_WINDOW:
			check_window = false;
			break;
		case TCP_RST_CHECK_WINDOW:
			break;
		}
		break;
	default:
		break;
	}

	if (check_window) {
		switch (tcp_in_window(ct, ctx, &s)) {
		case TCP_WIN_IGNORE:
			return CT_L4_ACCEPT;
		case TCP_WIN_INVALID:
			if (!k510)
				tcp_handle_invalid(ct, ctx, s.index);
			return CT_L4_INVALID;
		case TCP_WIN_ACCEPT:
			break;
		}
	}

	/* in window: commit */
	st->last_index = (uint8_t)s.index;
	st->last_dir = (uint8_t)dir;
	st->state = new_state;
	if (old_state != new_state && new_state == CT_TCP_FIN_WAIT)
		st->seen[dir].flags |= CT_TCP_FLAG_CLOSE_INIT;

	timeout = tcp_pick_timeout(ct, set, s.index, old_state, new_state);
	if (old_state != new_state)
		ct_engine_cache_event(ctx->eng, ct, CT_IPCT_PROTOINFO);

	if (!(ct->status & CT_IPS_SEEN_REPLY)) {
		if (s.flags & TH_RST) {
			/* the only answer was a RST (or the client gave
			 * up): nothing was established, drop it now */
			tcp_explain(ctx, "RST before any reply: entry killed");
			ct_engine_account(ctx->eng, ct, ctx);
			ctx->kill_cause = CT_DC_KILLED;
			ct_engine_kill(ctx->eng, ct, ctx);
			return CT_L4_ACCEPT;
		}
		if (!k510 && s.index == TCP_SYN_SET &&
		    old_state == CT_TCP_SYN_SENT) {
			/* a client (or NAT box) reusing the port must not
			 * keep the entry alive forever */
			tcp_explain(ctx, "retransmitted SYN: timeout not "
				    "renewed");
			return CT_L4_ACCEPT;
		}
		/* one-way or picked-up traffic gets no long timeout */
		if (new_state == CT_TCP_ESTABLISHED &&
		    timeout > set->tcp_timeouts[CT_TCP_UNACK])
			timeout = set->tcp_timeouts[CT_TCP_UNACK];
	} else if (!(ct->status & CT_IPS_ASSURED) &&
		   (old_state == CT_TCP_SYN_RECV ||
		    old_state == CT_TCP_ESTABLISHED) &&
		   new_state == CT_TCP_ESTABLISHED) {
		ct_engine_set_status(ctx->eng, ct, CT_IPS_ASSURED);
	}
	ct_engine_refresh(ctx->eng, ct, ctx, timeout);
	return CT_L4_ACCEPT;
}

static const char *tcp_state_name(const struct ct_conn *ct)
{
	uint8_t state = ct->proto.tcp.state;

	return state < CT_TCP_MAX ? tcp_state_names[state] : "UNKNOWN";
}

const struct ct_l4proto ct_l4proto_tcp = {
	.l4num = 6,
	.name = "tcp",
	.check = tcp_error,
	.pkt_to_tuple = tcp_pkt_to_tuple,
	.invert = ct_l4_ports_invert,
	.new = tcp_new,
	.packet = tcp_packet,
	.state_name = tcp_state_name,
};
