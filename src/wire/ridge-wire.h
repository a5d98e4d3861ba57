/* ridge-wire.h — the Ridge wire protocol codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure C11: no GLib, no malloc, no I/O. Builds for a Cortex-M (arm-none-eabi-gcc
 * -ffreestanding) as well as for the desktop. docs/protocol.md is the specification;
 * this header is its C binding.
 *
 * Layers:
 *   1. Frame layer: a 16-byte header, a payload, a CRC-32 trailer.
 *      ridge_wire_frame_write() encodes a frame into a caller buffer;
 *      RidgeWireDecoder turns an arbitrarily chunked byte stream into frames.
 *   2. Message layer: every message type has a C struct. ridge_wire_encode() packs
 *      a message into a whole frame; ridge_wire_decode() unpacks a frame's payload.
 *      Decoded strings, blobs and lists point into the caller's payload buffer
 *      (zero copy): they stay valid while that buffer does.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Frame layer -------------------------------------------------------------------- */

#define RIDGE_WIRE_MAGIC0          0x52u  /* 'R' */
#define RIDGE_WIRE_MAGIC1          0x47u  /* 'G' */
#define RIDGE_WIRE_VERSION         1u     /* the only version this codec speaks */
#define RIDGE_WIRE_HEADER_SIZE     16u
#define RIDGE_WIRE_TRAILER_SIZE    4u     /* CRC-32 of the payload */
#define RIDGE_WIRE_OVERHEAD        (RIDGE_WIRE_HEADER_SIZE + RIDGE_WIRE_TRAILER_SIZE)
/* Largest payload the protocol allows. A peer announces its own (smaller) limit in
 * HELLO / TERMINAL_INFO; the decoder is bounded by the buffer it is given. */
#define RIDGE_WIRE_MAX_PAYLOAD     (1024u * 1024u)

/* Header flags (byte 3). Bits 4..7 are reserved: senders write 0, receivers ignore. */
enum {
  RIDGE_WIRE_FLAG_RESPONSE = 1u << 0, /* answers the request with the same seq */
  RIDGE_WIRE_FLAG_EVENT    = 1u << 1, /* unsolicited; seq is the sender's event counter */
  RIDGE_WIRE_FLAG_ERROR    = 1u << 2, /* with RESPONSE: payload is a RidgeWireError */
  RIDGE_WIRE_FLAG_SEALED   = 1u << 3, /* payload is wrapped by the security layer (reserved) */
};

typedef struct {
  uint8_t  version;
  uint8_t  flags;
  uint16_t type;      /* RidgeWireType */
  uint32_t seq;
  uint32_t length;    /* payload length in bytes */
} RidgeWireHeader;

/* Result codes of the codec itself (negative = failure). Stable; see ridge_wire_strerror(). */
typedef enum {
  RIDGE_WIRE_OK               = 0,
  RIDGE_WIRE_E_NOSPACE        = -1,  /* output buffer too small */
  RIDGE_WIRE_E_TRUNCATED      = -2,  /* payload shorter than the message needs */
  RIDGE_WIRE_E_BAD_MAGIC      = -3,
  RIDGE_WIRE_E_BAD_HEADER_CRC = -4,
  RIDGE_WIRE_E_BAD_CRC        = -5,  /* payload CRC-32 mismatch */
  RIDGE_WIRE_E_TOO_LARGE      = -6,  /* length above the receiver's limit */
  RIDGE_WIRE_E_BAD_VERSION    = -7,
  RIDGE_WIRE_E_UNKNOWN_TYPE   = -8,
  RIDGE_WIRE_E_INVALID        = -9,  /* a field out of range (e.g. string too long) */
  RIDGE_WIRE_E_TOO_MANY       = -10, /* list longer than its protocol bound */
} RidgeWireResult;

const char *ridge_wire_strerror (int result);

uint32_t ridge_wire_crc32 (uint32_t crc, const void *data, size_t len); /* start with 0 */
uint16_t ridge_wire_crc16 (const void *data, size_t len);               /* CRC-16/CCITT-FALSE */

/* Writes header + payload + CRC into out. Returns the frame size, or a negative RidgeWireResult.
 * payload may be NULL when len is 0. */
int32_t ridge_wire_frame_write (uint8_t *out, size_t out_cap, const RidgeWireHeader *hdr,
                                const uint8_t *payload);

/* Incremental decoder: feed it any chunking of a byte stream (one byte at a time works).
 * It never allocates: the payload goes into the buffer given at init, whose size is the
 * largest payload accepted. Corrupt input is skipped by scanning for the magic again;
 * each such event is counted and reported, never fatal. */
typedef enum {
  RIDGE_WIRE_DEC_NEED_MORE = 0,  /* consumed all input, no frame yet */
  RIDGE_WIRE_DEC_FRAME     = 1,  /* a complete, valid frame: see dec->header, dec->payload */
  RIDGE_WIRE_DEC_ERROR     = 2,  /* a corrupt frame or garbage was skipped: see dec->last_error */
} RidgeWireDecStatus;

typedef struct {
  /* public, read-only */
  RidgeWireHeader header;        /* valid after RIDGE_WIRE_DEC_FRAME */
  uint8_t        *payload;       /* = the init buffer; header.length bytes valid after FRAME */
  int             last_error;    /* RidgeWireResult of the last RIDGE_WIRE_DEC_ERROR */
  uint32_t        frames;        /* valid frames delivered */
  uint32_t        resyncs;       /* times the decoder had to hunt for the magic */
  uint32_t        skipped_bytes; /* bytes discarded while hunting */
  uint32_t        crc_errors;    /* header or payload check failures */
  uint32_t        oversized;     /* frames announcing a length above the limit */
  uint32_t        bad_version;   /* frames with a version other than RIDGE_WIRE_VERSION */
  /* private */
  uint8_t  hdr_buf[RIDGE_WIRE_HEADER_SIZE];
  uint8_t  crc_buf[RIDGE_WIRE_TRAILER_SIZE];
  uint32_t payload_cap;
  uint32_t pos;                 /* bytes of the current section received */
  uint32_t crc;
  uint8_t  state;
  bool     hunting;
  /* private, added: after a payload CRC failure the payload and trailer bytes are
   * rescanned for a frame start (a real frame may hide in a frame whose length lied) */
  bool     replaying;
  uint8_t  replay_tail_pos;
  uint8_t  replay_tail[RIDGE_WIRE_TRAILER_SIZE];
  uint32_t replay_pos;
  uint32_t replay_len;
} RidgeWireDecoder;

void ridge_wire_decoder_init (RidgeWireDecoder *dec, uint8_t *payload_buf, uint32_t payload_cap);
void ridge_wire_decoder_reset (RidgeWireDecoder *dec);
/* Consumes bytes from data until it has a frame or an error, or the input is used up.
 * *consumed tells how many bytes were used (possibly 0 after an event); call again with
 * the rest until all input is used: NEED_MORE means it is. (After a payload CRC failure
 * the decoder rescans the failed frame's bytes; it leaves the last one unconsumed until
 * that rescan is done, so that frames found in it come out of the following calls.) After a
 * RIDGE_WIRE_DEC_FRAME, the payload is valid until the next call. A frame with a
 * version other than RIDGE_WIRE_VERSION is reported as an ERROR (RIDGE_WIRE_E_BAD_VERSION)
 * with dec->header filled in, so that the receiver can answer with ERR_VERSION. */
RidgeWireDecStatus ridge_wire_decoder_feed (RidgeWireDecoder *dec, const uint8_t *data,
                                            size_t len, size_t *consumed);

/* ---- Message layer ------------------------------------------------------------------ */

typedef enum {
  /* session */
  RIDGE_MSG_HELLO          = 0x0001, /* req: RidgeWireHello       resp: RidgeWireTerminalInfo */
  RIDGE_MSG_GOODBYE        = 0x0002, /* req: RidgeWireGoodbye     resp: empty */
  RIDGE_MSG_PING           = 0x0003, /* req: RidgeWirePing        resp: RidgeWirePong */
  RIDGE_MSG_INFO           = 0x0004, /* req: empty                resp: RidgeWireTerminalInfo */
  RIDGE_MSG_DISCOVER       = 0x0005, /* UDP probe: req empty      resp: RidgeWireAnnounce */
  /* capture */
  RIDGE_MSG_CAPTURE        = 0x0010, /* req: RidgeWireCapture     resp: RidgeWireFrame */
  RIDGE_MSG_STREAM_START   = 0x0011, /* req: RidgeWireStreamStart resp: empty */
  RIDGE_MSG_STREAM_CREDIT  = 0x0012, /* event (client→terminal): RidgeWireStreamCredit */
  RIDGE_MSG_STREAM_STOP    = 0x0013, /* req: empty                resp: RidgeWireStreamStats */
  RIDGE_MSG_FRAME          = 0x0014, /* event: RidgeWireFrame (stream) */
  RIDGE_MSG_FINGER         = 0x0015, /* event: RidgeWireFinger */
  /* enrollment */
  RIDGE_MSG_ENROLL_BEGIN   = 0x0020, /* req: RidgeWireEnrollBegin resp: RidgeWireEnrollBegun */
  RIDGE_MSG_ENROLL_SAMPLE  = 0x0021, /* event: RidgeWireEnrollSample */
  RIDGE_MSG_ENROLL_COMMIT  = 0x0022, /* req: RidgeWireEnrollCommit resp: RidgeWireTemplateInfo */
  RIDGE_MSG_ENROLL_CANCEL  = 0x0023, /* req: empty                resp: empty */
  /* template store */
  RIDGE_MSG_TPL_LIST       = 0x0030, /* req: RidgeWireTplList     resp: RidgeWireTplListResult */
  RIDGE_MSG_TPL_GET        = 0x0031, /* req: RidgeWireTplId       resp: RidgeWireTemplate */
  RIDGE_MSG_TPL_PUT        = 0x0032, /* req: RidgeWireTemplate    resp: RidgeWireTemplateInfo */
  RIDGE_MSG_TPL_DELETE     = 0x0033, /* req: RidgeWireTplId       resp: empty */
  RIDGE_MSG_TPL_UPDATE     = 0x0034, /* req: RidgeWireTemplateInfo (id, user, name) resp: same */
  RIDGE_MSG_TPL_CAPACITY   = 0x0035, /* req: empty                resp: RidgeWireTplCapacity */
  RIDGE_MSG_TPL_CLEAR      = 0x0036, /* req: empty                resp: RidgeWireTplCapacity */
  /* matching */
  RIDGE_MSG_VERIFY         = 0x0040, /* req: RidgeWireVerify      resp: RidgeWireMatchResult */
  RIDGE_MSG_IDENTIFY       = 0x0041, /* req: RidgeWireIdentify    resp: RidgeWireMatchResult */
  /* diagnostics */
  RIDGE_MSG_SELFTEST       = 0x0050, /* req: empty                resp: RidgeWireSelftest */
  RIDGE_MSG_PARAM_GET      = 0x0051, /* req: empty                resp: RidgeWireParams */
  RIDGE_MSG_PARAM_SET      = 0x0052, /* req: RidgeWireParamSet    resp: RidgeWireParams */
  RIDGE_MSG_COUNTERS       = 0x0053, /* req: empty                resp: RidgeWireCounters */
  RIDGE_MSG_LOG_FETCH      = 0x0054, /* req: RidgeWireLogFetch    resp: RidgeWireLog */
  RIDGE_MSG_TIME_GET       = 0x0055, /* req: empty                resp: RidgeWireTime */
  RIDGE_MSG_TIME_SET       = 0x0056, /* req: RidgeWireTime        resp: RidgeWireTime */
  RIDGE_MSG_REBOOT         = 0x0057, /* req: empty                resp: empty, then close */
} RidgeWireType;

/* Error codes carried by error responses (RIDGE_WIRE_FLAG_ERROR). Stable. */
typedef enum {
  RIDGE_ERR_MALFORMED      = 1,  /* payload could not be decoded */
  RIDGE_ERR_UNSUPPORTED    = 2,  /* unknown or unimplemented message type */
  RIDGE_ERR_VERSION        = 3,  /* no common protocol version */
  RIDGE_ERR_BUSY           = 4,  /* another client holds the terminal; text names it */
  RIDGE_ERR_NOT_FOUND      = 5,
  RIDGE_ERR_STORE_FULL     = 6,
  RIDGE_ERR_TIMEOUT        = 7,  /* e.g. no finger placed in time */
  RIDGE_ERR_CANCELLED      = 8,
  RIDGE_ERR_BAD_STATE      = 9,  /* e.g. ENROLL_COMMIT without enough samples */
  RIDGE_ERR_INVALID_ARG    = 10,
  RIDGE_ERR_DUPLICATE      = 11, /* finger already enrolled; text names the owner */
  RIDGE_ERR_INTERNAL       = 12,
  RIDGE_ERR_AUTH_REQUIRED  = 13, /* reserved for the security layer */
  RIDGE_ERR_LOW_QUALITY    = 14,
  RIDGE_ERR_STORAGE        = 15, /* the terminal could not write its store */
  RIDGE_ERR_NOT_HELLO      = 16, /* a request before HELLO */
} RidgeWireErrorCode;

const char *ridge_wire_error_code_name (uint16_t code);   /* "BUSY", … */
const char *ridge_wire_type_name (uint16_t type);         /* "PING", … or NULL */

/* Length-delimited views into a payload (not NUL-terminated). */
typedef struct { const char *ptr; uint16_t len; } RidgeWireStr;
typedef struct { const uint8_t *ptr; uint32_t len; } RidgeWireBlob;

#define RIDGE_WIRE_STR_MAX        255u   /* strings are u8-length-prefixed … */
#define RIDGE_WIRE_TEXT_MAX       65535u /* … except texts (error text, log), u16 */
#define RIDGE_WIRE_MAX_MINUTIAE   255u
#define RIDGE_WIRE_MAX_LIST       64u    /* templates per TPL_LIST page, params, counters … */

typedef struct {
  uint16_t     code;       /* RidgeWireErrorCode */
  RidgeWireStr text;       /* human sentence, u16-length-prefixed */
} RidgeWireError;

/* Capabilities (TERMINAL_INFO.capabilities) */
enum {
  RIDGE_CAP_CAPTURE       = 1u << 0,
  RIDGE_CAP_STREAM        = 1u << 1,
  RIDGE_CAP_MINUTIAE      = 1u << 2,  /* frames can carry minutiae */
  RIDGE_CAP_ENROLL        = 1u << 3,
  RIDGE_CAP_STORE         = 1u << 4,
  RIDGE_CAP_VERIFY        = 1u << 5,
  RIDGE_CAP_IDENTIFY      = 1u << 6,
  RIDGE_CAP_PARAMS        = 1u << 7,
  RIDGE_CAP_TIME          = 1u << 8,
  RIDGE_CAP_REBOOT        = 1u << 9,
  RIDGE_CAP_COMPRESS_RICE = 1u << 10, /* understands RIDGE_ENC_RICE */
};

typedef enum {
  RIDGE_SENSOR_UNKNOWN   = 0,
  RIDGE_SENSOR_SYNTHETIC = 1,
  RIDGE_SENSOR_IMAGES    = 2,  /* replays image files */
  RIDGE_SENSOR_OPTICAL   = 3,
  RIDGE_SENSOR_CAPACITIVE = 4,
  RIDGE_SENSOR_THERMAL   = 5,
  RIDGE_SENSOR_LIBFPRINT = 6,
} RidgeWireSensorType;

typedef struct {
  uint8_t      version_min;   /* protocol versions the client speaks */
  uint8_t      version_max;
  uint32_t     max_payload;   /* largest payload the client accepts */
  uint32_t     auth_methods;  /* reserved for the security layer: 0 = none */
  RidgeWireStr client_name;   /* "ridgectl 0.1.0 on host" */
} RidgeWireHello;

typedef struct {
  uint8_t      version;       /* chosen protocol version */
  uint32_t     max_payload;   /* largest payload the terminal accepts */
  uint32_t     capabilities;  /* RIDGE_CAP_* */
  uint32_t     auth_methods;  /* reserved: 0 = none required */
  RidgeWireStr model;
  RidgeWireStr serial;
  RidgeWireStr firmware_version;
  RidgeWireStr algorithm_version;
  uint8_t      sensor_type;   /* RidgeWireSensorType */
  uint16_t     width;
  uint16_t     height;
  uint16_t     dpi;
  uint32_t     template_capacity;
  uint32_t     template_count;
  uint32_t     boot_counter;
  uint64_t     uptime_ms;
} RidgeWireTerminalInfo;

/* Answer to a UDP discovery probe (protocol.md, "Discovery"). */
typedef struct {
  uint16_t              tcp_port;   /* where the terminal serves the protocol */
  uint8_t               busy;       /* 1 when a client holds the terminal */
  RidgeWireStr          holder;     /* that client's address, when busy */
  RidgeWireTerminalInfo info;
} RidgeWireAnnounce;

typedef struct {
  uint8_t reason;             /* 0 normal, 1 shutting down, 2 error */
} RidgeWireGoodbye;

typedef struct {
  uint64_t client_time_us;    /* client monotonic clock, echoed back */
} RidgeWirePing;

typedef struct {
  uint64_t client_time_us;    /* echo of PING */
  uint64_t terminal_time_us;  /* terminal monotonic clock */
  uint64_t uptime_ms;
  uint32_t boot_counter;      /* increments at every terminal boot */
} RidgeWirePong;

typedef enum {
  RIDGE_ENC_RAW  = 0,         /* 8-bit grey, row-major, width*height bytes */
  RIDGE_ENC_RICE = 1,         /* lossless: MED predictor + adaptive Rice code (protocol.md) */
} RidgeWireEncoding;

enum {
  RIDGE_CAPTURE_WAIT_FINGER  = 1u << 0,  /* wait until a finger is present */
  RIDGE_CAPTURE_MINUTIAE     = 1u << 1,  /* include the terminal's minutiae */
  RIDGE_CAPTURE_COMPRESS     = 1u << 2,  /* RIDGE_ENC_RICE allowed */
};

typedef struct {
  uint8_t  flags;             /* RIDGE_CAPTURE_* */
  uint32_t timeout_ms;        /* with WAIT_FINGER; 0 = terminal default */
} RidgeWireCapture;

typedef enum {
  RIDGE_WIRE_MINUTIA_OTHER       = 0,
  RIDGE_WIRE_MINUTIA_ENDING      = 1,
  RIDGE_WIRE_MINUTIA_BIFURCATION = 2,
} RidgeWireMinutiaType;

/* A minutia on the wire: 8 bytes. Angle in ISO 19794-2 convention (counter-clockwise
 * from the x axis, y pointing down the image), in 1/65536 of a turn. */
typedef struct {
  uint16_t x;
  uint16_t y;
  uint16_t angle;
  uint8_t  type;              /* RidgeWireMinutiaType */
  uint8_t  quality;           /* 0..100 */
} RidgeWireMinutia;

#define RIDGE_WIRE_MINUTIA_SIZE 8u

typedef struct {
  uint32_t frame_no;          /* stream frame counter, or 0 for a single capture */
  uint64_t timestamp_us;      /* terminal monotonic clock at capture */
  uint16_t width;
  uint16_t height;
  uint16_t dpi;
  uint8_t  finger_present;
  uint8_t  quality;           /* 0..100, 255 = not computed */
  uint32_t dropped_total;     /* frames the terminal dropped in this stream (no credit) */
  uint8_t  encoding;          /* RidgeWireEncoding */
  /* minutiae: decoded as a raw view; read with ridge_wire_minutia_at() */
  uint16_t                n_minutiae;
  const uint8_t          *minutiae_raw; /* decode: view into payload */
  const RidgeWireMinutia *minutiae;     /* encode: caller's array */
  RidgeWireBlob           image;        /* encoded image bytes */
} RidgeWireFrame;

void ridge_wire_minutia_at (const uint8_t *raw, uint16_t index, RidgeWireMinutia *out);

typedef struct {
  uint16_t credits;           /* frames the terminal may send before more credit */
  uint16_t max_fps;           /* 0 = sensor rate */
  uint8_t  flags;             /* RIDGE_CAPTURE_MINUTIAE | RIDGE_CAPTURE_COMPRESS */
} RidgeWireStreamStart;

typedef struct {
  uint16_t credits;           /* added to the terminal's credit counter */
} RidgeWireStreamCredit;

typedef struct {
  uint32_t frames_sent;
  uint32_t frames_dropped;
} RidgeWireStreamStats;

typedef struct {
  uint8_t  present;
  uint64_t timestamp_us;
} RidgeWireFinger;

/* Finger positions follow ISO/IEC 19794-2: 0 unknown, 1 right thumb … 5 right little,
 * 6 left thumb … 10 left little. */
typedef struct {
  RidgeWireStr user_id;
  uint8_t      finger;
  uint8_t      samples;       /* 1..16 */
  uint32_t     timeout_ms;    /* per sample; 0 = terminal default */
} RidgeWireEnrollBegin;

typedef struct {
  uint32_t enroll_id;
} RidgeWireEnrollBegun;

typedef enum {
  RIDGE_SAMPLE_ACCEPTED     = 0,
  RIDGE_SAMPLE_LOW_QUALITY  = 1,
  RIDGE_SAMPLE_TOO_FEW_MINUTIAE = 2,
  RIDGE_SAMPLE_MISMATCH     = 3,  /* does not match the earlier samples */
  RIDGE_SAMPLE_TIMEOUT      = 4,
  RIDGE_SAMPLE_LIFT_FINGER  = 5,  /* finger must be lifted between samples */
} RidgeWireSampleStatus;

typedef struct {
  uint32_t       enroll_id;
  uint8_t        index;       /* 0-based sample this event is about */
  uint8_t        samples;     /* total wanted */
  uint8_t        accepted;    /* samples accepted so far */
  uint8_t        status;      /* RidgeWireSampleStatus */
  uint8_t        quality;
  RidgeWireFrame frame;       /* the sample's image (nested frame body) */
} RidgeWireEnrollSample;

enum {
  RIDGE_COMMIT_ALLOW_DUPLICATE = 1u << 0,
};

typedef struct {
  uint32_t     enroll_id;
  uint8_t      flags;         /* RIDGE_COMMIT_* */
  RidgeWireStr name;          /* display name for the record */
} RidgeWireEnrollCommit;

typedef struct {
  uint32_t     id;
  RidgeWireStr user_id;
  RidgeWireStr name;
  uint8_t      finger;
  uint8_t      samples;
  uint8_t      quality;
  uint8_t      format;        /* RidgeWireTemplateFormat */
  uint64_t     created_unix_ms;
  uint64_t     updated_unix_ms;
  uint32_t     size;          /* template bytes */
} RidgeWireTemplateInfo;

#define RIDGE_WIRE_TEMPLATE_INFO_MAX (4u + 1u + 255u + 1u + 255u + 4u + 8u + 8u + 4u)

typedef enum {
  RIDGE_TPL_NATIVE   = 0,     /* Ridge engine template */
  RIDGE_TPL_ISO19794 = 1,     /* ISO/IEC 19794-2:2005 record */
  RIDGE_TPL_ANSI378  = 2,     /* ANSI INCITS 378-2004 record */
} RidgeWireTemplateFormat;

typedef struct {
  uint32_t offset;
  uint16_t max;               /* ≤ RIDGE_WIRE_MAX_LIST */
} RidgeWireTplList;

typedef struct {
  uint32_t                     total; /* templates in the store */
  uint16_t                     n;     /* in this page */
  const uint8_t               *raw;   /* decode: view; read with ridge_wire_tpl_list_next() */
  uint32_t                     raw_len;
  const RidgeWireTemplateInfo *items;  /* encode: caller's array */
} RidgeWireTplListResult;

/* Iterates the entries of a decoded list: *cursor starts at 0. Returns RIDGE_WIRE_OK,
 * or a negative result when the list is malformed. */
int ridge_wire_tpl_list_next (const RidgeWireTplListResult *list, uint32_t *cursor,
                              RidgeWireTemplateInfo *out);

typedef struct {
  uint32_t id;
} RidgeWireTplId;

typedef struct {
  RidgeWireTemplateInfo info;
  RidgeWireBlob         data;
} RidgeWireTemplate;

typedef struct {
  uint32_t capacity;
  uint32_t used;
} RidgeWireTplCapacity;

typedef struct {
  uint32_t     id;            /* template to verify against; 0 = by user_id + finger */
  RidgeWireStr user_id;
  uint8_t      finger;
  uint32_t     timeout_ms;
} RidgeWireVerify;

typedef struct {
  uint32_t timeout_ms;
} RidgeWireIdentify;

typedef struct {
  uint8_t      matched;
  uint32_t     score;         /* engine similarity score */
  uint32_t     threshold;     /* decision threshold in force */
  uint32_t     id;            /* matched template (identify) or the one verified */
  RidgeWireStr user_id;
  uint8_t      finger;
  uint8_t      probe_quality;
} RidgeWireMatchResult;

typedef struct {
  uint8_t                      passed; /* 1 all checks passed */
  uint8_t                      n;      /* checks */
  const uint8_t               *raw;    /* decode view: n × (u8 passed, str name, text detail) */
  uint32_t                     raw_len;
  const struct RidgeWireCheck *items; /* encode */
} RidgeWireSelftest;

typedef struct RidgeWireCheck {
  uint8_t      passed;
  RidgeWireStr name;
  RidgeWireStr detail;
} RidgeWireCheck;

int ridge_wire_selftest_next (const RidgeWireSelftest *st, uint32_t *cursor, RidgeWireCheck *out);

typedef struct {
  uint8_t      id;
  RidgeWireStr name;          /* "gain", "contrast", "led" */
  int32_t      value;
  int32_t      min;
  int32_t      max;
} RidgeWireParam;

typedef struct {
  uint8_t               n;
  const uint8_t        *raw;
  uint32_t              raw_len;
  const RidgeWireParam *items;
} RidgeWireParams;

int ridge_wire_params_next (const RidgeWireParams *p, uint32_t *cursor, RidgeWireParam *out);

typedef struct {
  uint8_t id;
  int32_t value;
} RidgeWireParamSet;

typedef struct {
  RidgeWireStr name;
  uint64_t     value;
} RidgeWireCounter;

typedef struct {
  uint8_t                 n;
  const uint8_t          *raw;
  uint32_t                raw_len;
  const RidgeWireCounter *items;
} RidgeWireCounters;

int ridge_wire_counters_next (const RidgeWireCounters *c, uint32_t *cursor, RidgeWireCounter *out);

typedef struct {
  uint32_t offset;            /* byte offset into the terminal's log */
  uint16_t max;               /* bytes wanted */
} RidgeWireLogFetch;

typedef struct {
  uint32_t     offset;        /* where this chunk starts */
  uint32_t     total;         /* log size now */
  RidgeWireStr text;          /* u16-length-prefixed */
} RidgeWireLog;

typedef struct {
  int64_t unix_us;            /* wall clock, microseconds since 1970 UTC */
} RidgeWireTime;

/* One of the above, selected by the frame's type and flags. */
typedef union {
  RidgeWireError         error;
  RidgeWireHello         hello;
  RidgeWireTerminalInfo  info;
  RidgeWireAnnounce      announce;
  RidgeWireGoodbye       goodbye;
  RidgeWirePing          ping;
  RidgeWirePong          pong;
  RidgeWireCapture       capture;
  RidgeWireFrame         frame;
  RidgeWireStreamStart   stream_start;
  RidgeWireStreamCredit  stream_credit;
  RidgeWireStreamStats   stream_stats;
  RidgeWireFinger        finger;
  RidgeWireEnrollBegin   enroll_begin;
  RidgeWireEnrollBegun   enroll_begun;
  RidgeWireEnrollSample  enroll_sample;
  RidgeWireEnrollCommit  enroll_commit;
  RidgeWireTemplateInfo  template_info;
  RidgeWireTplList       tpl_list;
  RidgeWireTplListResult tpl_list_result;
  RidgeWireTplId         tpl_id;
  RidgeWireTemplate      template_;
  RidgeWireTplCapacity   tpl_capacity;
  RidgeWireVerify        verify;
  RidgeWireIdentify      identify;
  RidgeWireMatchResult   match_result;
  RidgeWireSelftest      selftest;
  RidgeWireParams        params;
  RidgeWireParamSet      param_set;
  RidgeWireCounters      counters;
  RidgeWireLogFetch      log_fetch;
  RidgeWireLog           log;
  RidgeWireTime          time;
} RidgeWireMsg;

/* Which body a (type, flags) pair carries. */
typedef enum {
  RIDGE_BODY_EMPTY = 0, RIDGE_BODY_ERROR, RIDGE_BODY_HELLO, RIDGE_BODY_INFO,
  RIDGE_BODY_GOODBYE, RIDGE_BODY_PING, RIDGE_BODY_PONG, RIDGE_BODY_CAPTURE, RIDGE_BODY_FRAME,
  RIDGE_BODY_STREAM_START, RIDGE_BODY_STREAM_CREDIT, RIDGE_BODY_STREAM_STATS,
  RIDGE_BODY_FINGER, RIDGE_BODY_ENROLL_BEGIN, RIDGE_BODY_ENROLL_BEGUN,
  RIDGE_BODY_ENROLL_SAMPLE, RIDGE_BODY_ENROLL_COMMIT, RIDGE_BODY_TEMPLATE_INFO,
  RIDGE_BODY_TPL_LIST, RIDGE_BODY_TPL_LIST_RESULT, RIDGE_BODY_TPL_ID, RIDGE_BODY_TEMPLATE,
  RIDGE_BODY_TPL_CAPACITY, RIDGE_BODY_VERIFY, RIDGE_BODY_IDENTIFY, RIDGE_BODY_MATCH_RESULT,
  RIDGE_BODY_SELFTEST, RIDGE_BODY_PARAMS, RIDGE_BODY_PARAM_SET, RIDGE_BODY_COUNTERS,
  RIDGE_BODY_LOG_FETCH, RIDGE_BODY_LOG, RIDGE_BODY_TIME, RIDGE_BODY_ANNOUNCE,
  RIDGE_BODY_UNKNOWN = -1,
} RidgeWireBody;

RidgeWireBody ridge_wire_body_for (uint16_t type, uint8_t flags);

/* Packs msg (the body that ridge_wire_body_for(type, flags) names; NULL for an empty one)
 * into a complete frame in out. Returns the frame size or a negative RidgeWireResult. */
int32_t ridge_wire_encode (uint8_t *out, size_t out_cap, uint16_t type, uint8_t flags,
                           uint32_t seq, const RidgeWireMsg *msg);

/* Unpacks a frame's payload into msg. Trailing bytes beyond the known fields are ignored
 * (forward compatibility). Returns RIDGE_WIRE_OK or a negative RidgeWireResult. */
int ridge_wire_decode (const RidgeWireHeader *hdr, const uint8_t *payload, RidgeWireMsg *msg);

/* Image codec for RIDGE_ENC_RICE (lossless). Returns bytes written or a negative result;
 * the compressed size never exceeds ridge_wire_rice_bound(w, h). */
uint32_t ridge_wire_rice_bound (uint16_t width, uint16_t height);
int32_t ridge_wire_rice_encode (const uint8_t *pixels, uint16_t width, uint16_t height,
                                uint8_t *out, size_t out_cap);
int32_t ridge_wire_rice_decode (const uint8_t *in, size_t in_len, uint16_t width, uint16_t height,
                                uint8_t *pixels);

#ifdef __cplusplus
}
#endif
