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
