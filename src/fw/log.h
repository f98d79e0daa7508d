/* \summary: --log: the kernel log lines of nft log statements and iptables LOG targets */
#ifndef CTREPLAY_FW_LOG_H
#define CTREPLAY_FW_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../ct/hook.h"

/*
 * The message the kernel logs for a packet at a hook (nf_log_syslog.c,
 * default flags): "PREFIXIN=rc0 OUT=rs0 MAC=... SRC=... DST=... LEN=...".
 * mac is the link header of the input interface (maclen bytes, 14 for
 * Ethernet: destination, source, ethertype), maclen 0 when unknown.
 * flags are FW_LOG_* (fw.h): sequence numbers, TCP and IP options, the
 * Ethernet header decoded.  Returns the length written (always
 * NUL-terminated).
 */
size_t fw_log_format(char *buf, size_t size, const char *prefix,
		     unsigned flags, const struct ct_hookpkt *hp,
		     const uint8_t *mac, size_t maclen);

#endif
