/* \summary: messages for the library return codes shared by every module */
#include "common.h"

const char *ct_strerror(int err)
{
	switch ((enum ct_err)err) {
	case CT_OK:
		return "success";
	case CT_ERR_NOMEM:
		return "out of memory";
	case CT_ERR_IO:
		return "input could not be opened or read";
	case CT_ERR_FORMAT:
		return "not a capture file, or a damaged one";
	case CT_ERR_LINKTYPE:
		return "unsupported link type";
	case CT_ERR_FILTER:
		return "filter expression did not compile";
	case CT_ERR_PARSE:
		return "value did not parse";
	}
	return "unknown error";
}

int ct_time_parse(const char *text, ct_time *out)
{
	ct_time sec = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = text;

	while (*p >= '0' && *p <= '9') {
		if (sec > (INT64_MAX / CT_NSEC_PER_SEC) / 10)
			return -1;
		sec = sec * 10 + (*p - '0');
		digits++;
		p++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (fdigits < 9) {
				frac = frac * 10 + (*p - '0');
				fdigits++;
			}
			p++;
		}
	}
	if (*p != '\0' || (digits == 0 && fdigits == 0))
		return -1;
	while (fdigits++ < 9)
		frac *= 10;
	*out = sec * CT_NSEC_PER_SEC + frac;
	return 0;
}
