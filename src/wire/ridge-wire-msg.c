/* ridge-wire-msg.c — message layer: names, body selection, payload packing/unpacking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every body is a sequence of little-endian fields in the order of its C struct
 * (docs/protocol.md, "Payload encoding"): strings u8 length + bytes, texts u16 length +
 * bytes, blobs u32 length + bytes, lists a count (the type of the struct's count field)
 * + entries. Decoding checks every length against what is left of the payload and ignores
 * trailing bytes.
 */

#include "ridge-wire.h"
#include "ridge-wire-private.h"

/* ---- Names -------------------------------------------------------------------------- */

const char *
ridge_wire_error_code_name (uint16_t code)
{
  switch (code)
    {
      case RIDGE_ERR_MALFORMED:
        return "MALFORMED";
      case RIDGE_ERR_UNSUPPORTED:
        return "UNSUPPORTED";
      case RIDGE_ERR_VERSION:
        return "VERSION";
      case RIDGE_ERR_BUSY:
        return "BUSY";
      case RIDGE_ERR_NOT_FOUND:
        return "NOT_FOUND";
      case RIDGE_ERR_STORE_FULL:
        return "STORE_FULL";
      case RIDGE_ERR_TIMEOUT:
        return "TIMEOUT";
      case RIDGE_ERR_CANCELLED:
        return "CANCELLED";
      case RIDGE_ERR_BAD_STATE:
        return "BAD_STATE";
      case RIDGE_ERR_INVALID_ARG:
        return "INVALID_ARG";
      case RIDGE_ERR_DUPLICATE:
        return "DUPLICATE";
      case RIDGE_ERR_INTERNAL:
        return "INTERNAL";
      case RIDGE_ERR_AUTH_REQUIRED:
        return "AUTH_REQUIRED";
      case RIDGE_ERR_LOW_QUALITY:
        return "LOW_QUALITY";
      case RIDGE_ERR_STORAGE:
        return "STORAGE";
      case RIDGE_ERR_NOT_HELLO:
        return "NOT_HELLO";
      default:
        return "UNKNOWN";
    }
}

/* The message table: name, request body, response body. Event-only messages carry the
 * same body whatever their flags. */
typedef struct {
  uint16_t    type;
  const char *name;
  int8_t      request;
  int8_t      response;
} MsgDesc;

static const MsgDesc msg_table[] = {
  { RIDGE_MSG_HELLO, "HELLO", RIDGE_BODY_HELLO, RIDGE_BODY_INFO },
  { RIDGE_MSG_GOODBYE, "GOODBYE", RIDGE_BODY_GOODBYE, RIDGE_BODY_EMPTY },
  { RIDGE_MSG_PING, "PING", RIDGE_BODY_PING, RIDGE_BODY_PONG },
  { RIDGE_MSG_INFO, "INFO", RIDGE_BODY_EMPTY, RIDGE_BODY_INFO },
  { RIDGE_MSG_DISCOVER, "DISCOVER", RIDGE_BODY_EMPTY, RIDGE_BODY_ANNOUNCE },
  { RIDGE_MSG_CAPTURE, "CAPTURE", RIDGE_BODY_CAPTURE, RIDGE_BODY_FRAME },
  { RIDGE_MSG_STREAM_START, "STREAM_START", RIDGE_BODY_STREAM_START, RIDGE_BODY_EMPTY },
  { RIDGE_MSG_STREAM_CREDIT, "STREAM_CREDIT", RIDGE_BODY_STREAM_CREDIT,
    RIDGE_BODY_STREAM_CREDIT },
  { RIDGE_MSG_STREAM_STOP, "STREAM_STOP", RIDGE_BODY_EMPTY, RIDGE_BODY_STREAM_STATS },
  { RIDGE_MSG_FRAME, "FRAME", RIDGE_BODY_FRAME, RIDGE_BODY_FRAME },
  { RIDGE_MSG_FINGER, "FINGER", RIDGE_BODY_FINGER, RIDGE_BODY_FINGER },
  { RIDGE_MSG_ENROLL_BEGIN, "ENROLL_BEGIN", RIDGE_BODY_ENROLL_BEGIN, RIDGE_BODY_ENROLL_BEGUN },
  { RIDGE_MSG_ENROLL_SAMPLE, "ENROLL_SAMPLE", RIDGE_BODY_ENROLL_SAMPLE,
    RIDGE_BODY_ENROLL_SAMPLE },
  { RIDGE_MSG_ENROLL_COMMIT, "ENROLL_COMMIT", RIDGE_BODY_ENROLL_COMMIT,
    RIDGE_BODY_TEMPLATE_INFO },
  { RIDGE_MSG_ENROLL_CANCEL, "ENROLL_CANCEL", RIDGE_BODY_EMPTY, RIDGE_BODY_EMPTY },
  { RIDGE_MSG_TPL_LIST, "TPL_LIST", RIDGE_BODY_TPL_LIST, RIDGE_BODY_TPL_LIST_RESULT },
  { RIDGE_MSG_TPL_GET, "TPL_GET", RIDGE_BODY_TPL_ID, RIDGE_BODY_TEMPLATE },
  { RIDGE_MSG_TPL_PUT, "TPL_PUT", RIDGE_BODY_TEMPLATE, RIDGE_BODY_TEMPLATE_INFO },
  { RIDGE_MSG_TPL_DELETE, "TPL_DELETE", RIDGE_BODY_TPL_ID, RIDGE_BODY_EMPTY },
  { RIDGE_MSG_TPL_UPDATE, "TPL_UPDATE", RIDGE_BODY_TEMPLATE_INFO, RIDGE_BODY_TEMPLATE_INFO },
  { RIDGE_MSG_TPL_CAPACITY, "TPL_CAPACITY", RIDGE_BODY_EMPTY, RIDGE_BODY_TPL_CAPACITY },
  { RIDGE_MSG_TPL_CLEAR, "TPL_CLEAR", RIDGE_BODY_EMPTY, RIDGE_BODY_TPL_CAPACITY },
  { RIDGE_MSG_VERIFY, "VERIFY", RIDGE_BODY_VERIFY, RIDGE_BODY_MATCH_RESULT },
  { RIDGE_MSG_IDENTIFY, "IDENTIFY", RIDGE_BODY_IDENTIFY, RIDGE_BODY_MATCH_RESULT },
  { RIDGE_MSG_SELFTEST, "SELFTEST", RIDGE_BODY_EMPTY, RIDGE_BODY_SELFTEST },
  { RIDGE_MSG_PARAM_GET, "PARAM_GET", RIDGE_BODY_EMPTY, RIDGE_BODY_PARAMS },
  { RIDGE_MSG_PARAM_SET, "PARAM_SET", RIDGE_BODY_PARAM_SET, RIDGE_BODY_PARAMS },
  { RIDGE_MSG_COUNTERS, "COUNTERS", RIDGE_BODY_EMPTY, RIDGE_BODY_COUNTERS },
  { RIDGE_MSG_LOG_FETCH, "LOG_FETCH", RIDGE_BODY_LOG_FETCH, RIDGE_BODY_LOG },
  { RIDGE_MSG_TIME_GET, "TIME_GET", RIDGE_BODY_EMPTY, RIDGE_BODY_TIME },
  { RIDGE_MSG_TIME_SET, "TIME_SET", RIDGE_BODY_TIME, RIDGE_BODY_TIME },
  { RIDGE_MSG_REBOOT, "REBOOT", RIDGE_BODY_EMPTY, RIDGE_BODY_EMPTY },
};

static const MsgDesc *
msg_lookup (uint16_t type)
{
  for (size_t i = 0; i < sizeof msg_table / sizeof msg_table[0]; i++)
    {
      if (msg_table[i].type == type)
        return &msg_table[i];
    }
  return NULL;
}

const char *
ridge_wire_type_name (uint16_t type)
{
  const MsgDesc *d = msg_lookup (type);

  return d != NULL ? d->name : NULL;
}

RidgeWireBody
ridge_wire_body_for (uint16_t type,
                     uint8_t  flags)
{
  const MsgDesc *d;

  /* An error response may answer any request, even one of an unknown type. */
  if (flags & RIDGE_WIRE_FLAG_ERROR)
    return RIDGE_BODY_ERROR;
  d = msg_lookup (type);
  if (d == NULL)
    return RIDGE_BODY_UNKNOWN;
  return (RidgeWireBody)((flags & RIDGE_WIRE_FLAG_RESPONSE) ? d->response : d->request);
}

/* ---- Writer ------------------------------------------------------------------------- */

typedef struct {
  uint8_t *p;
  size_t   cap;
  size_t   len;
  int      err;
} Writer;

static uint8_t *
w_reserve (Writer *w,
           size_t  n)
{
  uint8_t *p;

  if (w->err != RIDGE_WIRE_OK)
    return NULL;
  if (n > w->cap - w->len)
    {
      w->err = RIDGE_WIRE_E_NOSPACE;
      return NULL;
    }
  p = w->p + w->len;
  w->len += n;
  return p;
}

static void
w_u8 (Writer *w,
      uint8_t v)
{
  uint8_t *p = w_reserve (w, 1);

  if (p != NULL)
    p[0] = v;
}

static void
w_u16 (Writer  *w,
       uint16_t v)
{
  uint8_t *p = w_reserve (w, 2);

  if (p != NULL)
    ridge_wire_put_u16 (p, v);
}

static void
w_u32 (Writer  *w,
       uint32_t v)
{
  uint8_t *p = w_reserve (w, 4);

  if (p != NULL)
    ridge_wire_put_u32 (p, v);
}

static void
w_u64 (Writer  *w,
       uint64_t v)
{
  uint8_t *p = w_reserve (w, 8);

  if (p != NULL)
    ridge_wire_put_u64 (p, v);
}

static void
w_bytes (Writer     *w,
         const void *data,
         size_t      n)
{
  uint8_t *p;

  if (n == 0)
    return;
  if (data == NULL)
    {
      if (w->err == RIDGE_WIRE_OK)
        w->err = RIDGE_WIRE_E_INVALID;
      return;
    }
  p = w_reserve (w, n);
  if (p != NULL)
    memcpy (p, data, n);
}

static void
w_fail (Writer *w,
        int     err)
{
  if (w->err == RIDGE_WIRE_OK)
    w->err = err;
}

/* A string: u8 length + bytes. */
static void
w_str (Writer             *w,
       const RidgeWireStr *s)
{
  if (s->len > RIDGE_WIRE_STR_MAX)
    {
      w_fail (w, RIDGE_WIRE_E_INVALID);
      return;
    }
  w_u8 (w, (uint8_t)s->len);
  w_bytes (w, s->ptr, s->len);
}

/* A text: u16 length + bytes. */
static void
w_text (Writer             *w,
        const RidgeWireStr *s)
{
  w_u16 (w, s->len);
  w_bytes (w, s->ptr, s->len);
}

static void
w_blob (Writer              *w,
        const RidgeWireBlob *b)
{
  if (b->len > RIDGE_WIRE_MAX_PAYLOAD)
    {
      w_fail (w, RIDGE_WIRE_E_TOO_LARGE);
      return;
    }
  w_u32 (w, b->len);
  w_bytes (w, b->ptr, b->len);
}

/* ---- Reader ------------------------------------------------------------------------- */

typedef struct {
  const uint8_t *p;
  uint32_t       len;
  uint32_t       pos;
  int            err;
} Reader;

static const uint8_t *
r_take (Reader  *r,
        uint32_t n)
{
  const uint8_t *p;

  if (r->err != RIDGE_WIRE_OK)
    return NULL;
  if (n > r->len - r->pos)
    {
      r->err = RIDGE_WIRE_E_TRUNCATED;
      return NULL;
    }
  p = r->p + r->pos;
  r->pos += n;
  return p;
}

static uint8_t
r_u8 (Reader *r)
{
  const uint8_t *p = r_take (r, 1);

  return p != NULL ? p[0] : 0;
}

static uint16_t
r_u16 (Reader *r)
{
  const uint8_t *p = r_take (r, 2);

  return p != NULL ? ridge_wire_get_u16 (p) : 0;
}

static uint32_t
r_u32 (Reader *r)
{
  const uint8_t *p = r_take (r, 4);

  return p != NULL ? ridge_wire_get_u32 (p) : 0;
}

static uint64_t
r_u64 (Reader *r)
{
  const uint8_t *p = r_take (r, 8);

  return p != NULL ? ridge_wire_get_u64 (p) : 0;
}

static void
r_str (Reader       *r,
       RidgeWireStr *s)
{
  uint8_t n = r_u8 (r);
  const uint8_t *p = r_take (r, n);

  s->ptr = p != NULL ? (const char *)p : NULL;
  s->len = p != NULL ? n : 0;
}

static void
r_text (Reader       *r,
        RidgeWireStr *s)
{
  uint16_t n = r_u16 (r);
  const uint8_t *p = r_take (r, n);

  s->ptr = p != NULL ? (const char *)p : NULL;
  s->len = p != NULL ? n : 0;
}

static void
r_blob (Reader        *r,
        RidgeWireBlob *b)
{
  uint32_t n = r_u32 (r);
  const uint8_t *p = r_take (r, n);

  b->ptr = p;
  b->len = p != NULL ? n : 0;
}

static void
r_fail (Reader *r,
        int     err)
{
  if (r->err == RIDGE_WIRE_OK)
    r->err = err;
}

/* ---- Bodies ------------------------------------------------------------------------- */

static void
info_write (Writer                      *w,
            const RidgeWireTerminalInfo *m)
{
  w_u8 (w, m->version);
  w_u32 (w, m->max_payload);
  w_u32 (w, m->capabilities);
  w_u32 (w, m->auth_methods);
  w_str (w, &m->model);
  w_str (w, &m->serial);
  w_str (w, &m->firmware_version);
  w_str (w, &m->algorithm_version);
  w_u8 (w, m->sensor_type);
  w_u16 (w, m->width);
  w_u16 (w, m->height);
  w_u16 (w, m->dpi);
  w_u32 (w, m->template_capacity);
  w_u32 (w, m->template_count);
  w_u32 (w, m->boot_counter);
  w_u64 (w, m->uptime_ms);
}

static void
info_read (Reader                *r,
           RidgeWireTerminalInfo *m)
{
  m->version = r_u8 (r);
  m->max_payload = r_u32 (r);
  m->capabilities = r_u32 (r);
  m->auth_methods = r_u32 (r);
  r_str (r, &m->model);
  r_str (r, &m->serial);
  r_str (r, &m->firmware_version);
  r_str (r, &m->algorithm_version);
  m->sensor_type = r_u8 (r);
  m->width = r_u16 (r);
  m->height = r_u16 (r);
  m->dpi = r_u16 (r);
  m->template_capacity = r_u32 (r);
  m->template_count = r_u32 (r);
  m->boot_counter = r_u32 (r);
  m->uptime_ms = r_u64 (r);
}

static void
minutia_pack (uint8_t                *p,
              const RidgeWireMinutia *m)
{
  ridge_wire_put_u16 (p, m->x);
  ridge_wire_put_u16 (p + 2, m->y);
  ridge_wire_put_u16 (p + 4, m->angle);
  p[6] = m->type;
  p[7] = m->quality;
}

void
ridge_wire_minutia_at (const uint8_t    *raw,
                       uint16_t          index,
                       RidgeWireMinutia *out)
{
  const uint8_t *p = raw + (size_t)index * RIDGE_WIRE_MINUTIA_SIZE;

  out->x = ridge_wire_get_u16 (p);
  out->y = ridge_wire_get_u16 (p + 2);
  out->angle = ridge_wire_get_u16 (p + 4);
  out->type = p[6];
  out->quality = p[7];
}

static void
frame_write (Writer               *w,
             const RidgeWireFrame *m)
{
  w_u32 (w, m->frame_no);
  w_u64 (w, m->timestamp_us);
  w_u16 (w, m->width);
  w_u16 (w, m->height);
  w_u16 (w, m->dpi);
  w_u8 (w, m->finger_present);
  w_u8 (w, m->quality);
  w_u32 (w, m->dropped_total);
  w_u8 (w, m->encoding);
  if (m->encoding == RIDGE_ENC_RAW && m->image.len != (uint32_t)m->width * m->height)
    w_fail (w, RIDGE_WIRE_E_INVALID);
  if (m->n_minutiae > RIDGE_WIRE_MAX_MINUTIAE)
    w_fail (w, RIDGE_WIRE_E_TOO_MANY);
  w_u16 (w, m->n_minutiae);
  if (m->minutiae != NULL)
    {
      for (uint16_t i = 0; i < m->n_minutiae; i++)
        {
          uint8_t *p = w_reserve (w, RIDGE_WIRE_MINUTIA_SIZE);

          if (p != NULL)
            minutia_pack (p, &m->minutiae[i]);
        }
    }
  else
    {
      /* Relaying a decoded frame: copy its raw minutiae. */
      w_bytes (w, m->minutiae_raw, (size_t)m->n_minutiae * RIDGE_WIRE_MINUTIA_SIZE);
    }
  w_blob (w, &m->image);
}

static void
frame_read (Reader         *r,
            RidgeWireFrame *m)
{
  m->frame_no = r_u32 (r);
  m->timestamp_us = r_u64 (r);
  m->width = r_u16 (r);
  m->height = r_u16 (r);
  m->dpi = r_u16 (r);
  m->finger_present = r_u8 (r);
  m->quality = r_u8 (r);
  m->dropped_total = r_u32 (r);
  m->encoding = r_u8 (r);
  m->n_minutiae = r_u16 (r);
  if (m->n_minutiae > RIDGE_WIRE_MAX_MINUTIAE)
    r_fail (r, RIDGE_WIRE_E_TOO_MANY);
  m->minutiae_raw = r_take (r, (uint32_t)m->n_minutiae * RIDGE_WIRE_MINUTIA_SIZE);
  m->minutiae = NULL;
  r_blob (r, &m->image);
  if (r->err == RIDGE_WIRE_OK)
    {
      if (m->encoding == RIDGE_ENC_RAW && m->image.len != (uint32_t)m->width * m->height)
        r_fail (r, RIDGE_WIRE_E_INVALID);
      if (m->encoding == RIDGE_ENC_RICE
          && m->image.len > ridge_wire_rice_bound (m->width, m->height))
        r_fail (r, RIDGE_WIRE_E_INVALID);
    }
}

static void
template_info_write (Writer                      *w,
                     const RidgeWireTemplateInfo *m)
{
  w_u32 (w, m->id);
  w_str (w, &m->user_id);
  w_str (w, &m->name);
  w_u8 (w, m->finger);
  w_u8 (w, m->samples);
  w_u8 (w, m->quality);
  w_u8 (w, m->format);
  w_u64 (w, m->created_unix_ms);
  w_u64 (w, m->updated_unix_ms);
  w_u32 (w, m->size);
}

static void
template_info_read (Reader                *r,
                    RidgeWireTemplateInfo *m)
{
  m->id = r_u32 (r);
  r_str (r, &m->user_id);
  r_str (r, &m->name);
  m->finger = r_u8 (r);
  m->samples = r_u8 (r);
  m->quality = r_u8 (r);
  m->format = r_u8 (r);
  m->created_unix_ms = r_u64 (r);
  m->updated_unix_ms = r_u64 (r);
  m->size = r_u32 (r);
}

static void
check_write (Writer               *w,
             const RidgeWireCheck *m)
{
  w_u8 (w, m->passed);
  w_str (w, &m->name);
  w_text (w, &m->detail);
}

static void
check_read (Reader         *r,
            RidgeWireCheck *m)
{
  m->passed = r_u8 (r);
  r_str (r, &m->name);
  r_text (r, &m->detail);
}

static void
param_write (Writer               *w,
             const RidgeWireParam *m)
{
  w_u8 (w, m->id);
  w_str (w, &m->name);
  w_u32 (w, (uint32_t)m->value);
  w_u32 (w, (uint32_t)m->min);
  w_u32 (w, (uint32_t)m->max);
}

static void
param_read (Reader         *r,
            RidgeWireParam *m)
{
  m->id = r_u8 (r);
  r_str (r, &m->name);
  m->value = (int32_t)r_u32 (r);
  m->min = (int32_t)r_u32 (r);
  m->max = (int32_t)r_u32 (r);
}

static void
counter_write (Writer                 *w,
               const RidgeWireCounter *m)
{
  w_str (w, &m->name);
  w_u64 (w, m->value);
}

static void
counter_read (Reader           *r,
              RidgeWireCounter *m)
{
  r_str (r, &m->name);
  m->value = r_u64 (r);
}

/* Lists: entries are validated once at decode time (raw_len = their exact size), then
 * walked with the *_next() iterators. */
typedef void (*EntryRead) (Reader *r,
                           void   *out);

static void
list_read (Reader         *r,
           uint32_t        n,
           EntryRead       read_one,
           void           *scratch,
           const uint8_t **raw,
           uint32_t       *raw_len)
{
  uint32_t start = r->pos;

  if (n > RIDGE_WIRE_MAX_LIST)
    r_fail (r, RIDGE_WIRE_E_TOO_MANY);
  for (uint32_t i = 0; i < n && r->err == RIDGE_WIRE_OK; i++)
    read_one (r, scratch);
  *raw = r->err == RIDGE_WIRE_OK ? r->p + start : NULL;
  *raw_len = r->err == RIDGE_WIRE_OK ? r->pos - start : 0;
}

static int
list_next (const uint8_t *raw,
           uint32_t       raw_len,
           uint32_t      *cursor,
           EntryRead      read_one,
           void          *out)
{
  Reader r = { raw, raw_len, *cursor, RIDGE_WIRE_OK };

  if (raw == NULL || *cursor >= raw_len)
    return RIDGE_WIRE_E_TRUNCATED;
  read_one (&r, out);
  if (r.err == RIDGE_WIRE_OK)
    *cursor = r.pos;
  return r.err;
}

static void
template_info_read_v (Reader *r,
                      void   *out)
{
  template_info_read (r, out);
}

static void
check_read_v (Reader *r,
              void   *out)
{
  check_read (r, out);
}

static void
param_read_v (Reader *r,
              void   *out)
{
  param_read (r, out);
}

static void
counter_read_v (Reader *r,
                void   *out)
{
  counter_read (r, out);
}

int
ridge_wire_tpl_list_next (const RidgeWireTplListResult *list,
                          uint32_t                     *cursor,
                          RidgeWireTemplateInfo        *out)
{
  return list_next (list->raw, list->raw_len, cursor, template_info_read_v, out);
}

int
ridge_wire_selftest_next (const RidgeWireSelftest *st,
                          uint32_t                *cursor,
                          RidgeWireCheck          *out)
{
  return list_next (st->raw, st->raw_len, cursor, check_read_v, out);
}

int
ridge_wire_params_next (const RidgeWireParams *p,
                        uint32_t              *cursor,
                        RidgeWireParam        *out)
{
  return list_next (p->raw, p->raw_len, cursor, param_read_v, out);
}

int
ridge_wire_counters_next (const RidgeWireCounters *c,
                          uint32_t                *cursor,
                          RidgeWireCounter        *out)
{
  return list_next (c->raw, c->raw_len, cursor, counter_read_v, out);
}

/* Writes a list's entries from the caller's array, or relays the raw bytes of a decoded
 * list when there is no array. */
static void
list_write_raw (Writer        *w,
                uint32_t       n,
                const void    *items,
                const uint8_t *raw,
                uint32_t       raw_len)
{
  if (n > RIDGE_WIRE_MAX_LIST)
    w_fail (w, RIDGE_WIRE_E_TOO_MANY);
  if (items == NULL && n > 0)
    w_bytes (w, raw, raw_len);
}

static void
body_write (Writer             *w,
            RidgeWireBody       body,
            const RidgeWireMsg *m)
{
  switch (body)
    {
      case RIDGE_BODY_EMPTY:
        break;
      case RIDGE_BODY_ERROR:
        w_u16 (w, m->error.code);
        w_text (w, &m->error.text);
        break;
      case RIDGE_BODY_HELLO:
        w_u8 (w, m->hello.version_min);
        w_u8 (w, m->hello.version_max);
        w_u32 (w, m->hello.max_payload);
        w_u32 (w, m->hello.auth_methods);
        w_str (w, &m->hello.client_name);
        break;
      case RIDGE_BODY_INFO:
        info_write (w, &m->info);
        break;
      case RIDGE_BODY_ANNOUNCE:
        w_u16 (w, m->announce.tcp_port);
        w_u8 (w, m->announce.busy);
        w_str (w, &m->announce.holder);
        info_write (w, &m->announce.info);
        break;
      case RIDGE_BODY_GOODBYE:
        w_u8 (w, m->goodbye.reason);
        break;
      case RIDGE_BODY_PING:
        w_u64 (w, m->ping.client_time_us);
        break;
      case RIDGE_BODY_PONG:
        w_u64 (w, m->pong.client_time_us);
        w_u64 (w, m->pong.terminal_time_us);
        w_u64 (w, m->pong.uptime_ms);
        w_u32 (w, m->pong.boot_counter);
        break;
      case RIDGE_BODY_CAPTURE:
        w_u8 (w, m->capture.flags);
        w_u32 (w, m->capture.timeout_ms);
        break;
      case RIDGE_BODY_FRAME:
        frame_write (w, &m->frame);
        break;
      case RIDGE_BODY_STREAM_START:
        w_u16 (w, m->stream_start.credits);
        w_u16 (w, m->stream_start.max_fps);
        w_u8 (w, m->stream_start.flags);
        break;
      case RIDGE_BODY_STREAM_CREDIT:
        w_u16 (w, m->stream_credit.credits);
        break;
      case RIDGE_BODY_STREAM_STATS:
        w_u32 (w, m->stream_stats.frames_sent);
        w_u32 (w, m->stream_stats.frames_dropped);
        break;
      case RIDGE_BODY_FINGER:
        w_u8 (w, m->finger.present);
        w_u64 (w, m->finger.timestamp_us);
        break;
      case RIDGE_BODY_ENROLL_BEGIN:
        w_str (w, &m->enroll_begin.user_id);
        w_u8 (w, m->enroll_begin.finger);
        w_u8 (w, m->enroll_begin.samples);
        w_u32 (w, m->enroll_begin.timeout_ms);
        break;
      case RIDGE_BODY_ENROLL_BEGUN:
        w_u32 (w, m->enroll_begun.enroll_id);
        break;
      case RIDGE_BODY_ENROLL_SAMPLE:
        w_u32 (w, m->enroll_sample.enroll_id);
        w_u8 (w, m->enroll_sample.index);
        w_u8 (w, m->enroll_sample.samples);
        w_u8 (w, m->enroll_sample.accepted);
        w_u8 (w, m->enroll_sample.status);
        w_u8 (w, m->enroll_sample.quality);
        frame_write (w, &m->enroll_sample.frame);
        break;
      case RIDGE_BODY_ENROLL_COMMIT:
        w_u32 (w, m->enroll_commit.enroll_id);
        w_u8 (w, m->enroll_commit.flags);
        w_str (w, &m->enroll_commit.name);
        break;
      case RIDGE_BODY_TEMPLATE_INFO:
        template_info_write (w, &m->template_info);
        break;
      case RIDGE_BODY_TPL_LIST:
        w_u32 (w, m->tpl_list.offset);
        w_u16 (w, m->tpl_list.max);
        break;
      case RIDGE_BODY_TPL_LIST_RESULT:
        {
          const RidgeWireTplListResult *l = &m->tpl_list_result;

          w_u32 (w, l->total);
          w_u16 (w, l->n);
          list_write_raw (w, l->n, l->items, l->raw, l->raw_len);
          for (uint16_t i = 0; l->items != NULL && i < l->n && w->err == RIDGE_WIRE_OK; i++)
            template_info_write (w, &l->items[i]);
        }
        break;
      case RIDGE_BODY_TPL_ID:
        w_u32 (w, m->tpl_id.id);
        break;
      case RIDGE_BODY_TEMPLATE:
        template_info_write (w, &m->template_.info);
        w_blob (w, &m->template_.data);
        break;
      case RIDGE_BODY_TPL_CAPACITY:
        w_u32 (w, m->tpl_capacity.capacity);
        w_u32 (w, m->tpl_capacity.used);
        break;
      case RIDGE_BODY_VERIFY:
        w_u32 (w, m->verify.id);
        w_str (w, &m->verify.user_id);
        w_u8 (w, m->verify.finger);
        w_u32 (w, m->verify.timeout_ms);
        break;
      case RIDGE_BODY_IDENTIFY:
        w_u32 (w, m->identify.timeout_ms);
        break;
      case RIDGE_BODY_MATCH_RESULT:
        w_u8 (w, m->match_result.matched);
        w_u32 (w, m->match_result.score);
        w_u32 (w, m->match_result.threshold);
        w_u32 (w, m->match_result.id);
        w_str (w, &m->match_result.user_id);
        w_u8 (w, m->match_result.finger);
        w_u8 (w, m->match_result.probe_quality);
        break;
      case RIDGE_BODY_SELFTEST:
        {
          const RidgeWireSelftest *s = &m->selftest;

          w_u8 (w, s->passed);
          w_u8 (w, s->n);
          list_write_raw (w, s->n, s->items, s->raw, s->raw_len);
          for (uint8_t i = 0; s->items != NULL && i < s->n && w->err == RIDGE_WIRE_OK; i++)
            check_write (w, &s->items[i]);
        }
        break;
      case RIDGE_BODY_PARAMS:
        {
          const RidgeWireParams *p = &m->params;

          w_u8 (w, p->n);
          list_write_raw (w, p->n, p->items, p->raw, p->raw_len);
          for (uint8_t i = 0; p->items != NULL && i < p->n && w->err == RIDGE_WIRE_OK; i++)
            param_write (w, &p->items[i]);
        }
        break;
      case RIDGE_BODY_PARAM_SET:
        w_u8 (w, m->param_set.id);
        w_u32 (w, (uint32_t)m->param_set.value);
        break;
      case RIDGE_BODY_COUNTERS:
        {
          const RidgeWireCounters *c = &m->counters;

          w_u8 (w, c->n);
          list_write_raw (w, c->n, c->items, c->raw, c->raw_len);
          for (uint8_t i = 0; c->items != NULL && i < c->n && w->err == RIDGE_WIRE_OK; i++)
            counter_write (w, &c->items[i]);
        }
        break;
      case RIDGE_BODY_LOG_FETCH:
        w_u32 (w, m->log_fetch.offset);
        w_u16 (w, m->log_fetch.max);
        break;
      case RIDGE_BODY_LOG:
        w_u32 (w, m->log.offset);
        w_u32 (w, m->log.total);
        w_text (w, &m->log.text);
        break;
      case RIDGE_BODY_TIME:
        w_u64 (w, (uint64_t)m->time.unix_us);
        break;
      case RIDGE_BODY_UNKNOWN:
      default:
        w_fail (w, RIDGE_WIRE_E_UNKNOWN_TYPE);
        break;
    }
}

static void
body_read (Reader       *r,
           RidgeWireBody body,
           RidgeWireMsg *m)
{
  switch (body)
    {
      case RIDGE_BODY_EMPTY:
        break;
      case RIDGE_BODY_ERROR:
        m->error.code = r_u16 (r);
        r_text (r, &m->error.text);
        break;
      case RIDGE_BODY_HELLO:
        m->hello.version_min = r_u8 (r);
        m->hello.version_max = r_u8 (r);
        m->hello.max_payload = r_u32 (r);
        m->hello.auth_methods = r_u32 (r);
        r_str (r, &m->hello.client_name);
        break;
      case RIDGE_BODY_INFO:
        info_read (r, &m->info);
        break;
      case RIDGE_BODY_ANNOUNCE:
        m->announce.tcp_port = r_u16 (r);
        m->announce.busy = r_u8 (r);
        r_str (r, &m->announce.holder);
        info_read (r, &m->announce.info);
        break;
      case RIDGE_BODY_GOODBYE:
        m->goodbye.reason = r_u8 (r);
        break;
      case RIDGE_BODY_PING:
        m->ping.client_time_us = r_u64 (r);
        break;
      case RIDGE_BODY_PONG:
        m->pong.client_time_us = r_u64 (r);
        m->pong.terminal_time_us = r_u64 (r);
        m->pong.uptime_ms = r_u64 (r);
        m->pong.boot_counter = r_u32 (r);
        break;
      case RIDGE_BODY_CAPTURE:
        m->capture.flags = r_u8 (r);
        m->capture.timeout_ms = r_u32 (r);
        break;
      case RIDGE_BODY_FRAME:
        frame_read (r, &m->frame);
        break;
      case RIDGE_BODY_STREAM_START:
        m->stream_start.credits = r_u16 (r);
        m->stream_start.max_fps = r_u16 (r);
        m->stream_start.flags = r_u8 (r);
        break;
      case RIDGE_BODY_STREAM_CREDIT:
        m->stream_credit.credits = r_u16 (r);
        break;
      case RIDGE_BODY_STREAM_STATS:
        m->stream_stats.frames_sent = r_u32 (r);
        m->stream_stats.frames_dropped = r_u32 (r);
        break;
      case RIDGE_BODY_FINGER:
        m->finger.present = r_u8 (r);
        m->finger.timestamp_us = r_u64 (r);
        break;
      case RIDGE_BODY_ENROLL_BEGIN:
        r_str (r, &m->enroll_begin.user_id);
        m->enroll_begin.finger = r_u8 (r);
        m->enroll_begin.samples = r_u8 (r);
        m->enroll_begin.timeout_ms = r_u32 (r);
        break;
      case RIDGE_BODY_ENROLL_BEGUN:
        m->enroll_begun.enroll_id = r_u32 (r);
        break;
      case RIDGE_BODY_ENROLL_SAMPLE:
        m->enroll_sample.enroll_id = r_u32 (r);
        m->enroll_sample.index = r_u8 (r);
        m->enroll_sample.samples = r_u8 (r);
        m->enroll_sample.accepted = r_u8 (r);
        m->enroll_sample.status = r_u8 (r);
        m->enroll_sample.quality = r_u8 (r);
        frame_read (r, &m->enroll_sample.frame);
        break;
      case RIDGE_BODY_ENROLL_COMMIT:
        m->enroll_commit.enroll_id = r_u32 (r);
        m->enroll_commit.flags = r_u8 (r);
        r_str (r, &m->enroll_commit.name);
        break;
      case RIDGE_BODY_TEMPLATE_INFO:
        template_info_read (r, &m->template_info);
        break;
      case RIDGE_BODY_TPL_LIST:
        m->tpl_list.offset = r_u32 (r);
        m->tpl_list.max = r_u16 (r);
        break;
      case RIDGE_BODY_TPL_LIST_RESULT:
        {
          RidgeWireTplListResult *l = &m->tpl_list_result;
          RidgeWireTemplateInfo scratch;

          l->total = r_u32 (r);
          l->n = r_u16 (r);
          list_read (r, l->n, template_info_read_v, &scratch, &l->raw, &l->raw_len);
          l->items = NULL;
        }
        break;
      case RIDGE_BODY_TPL_ID:
        m->tpl_id.id = r_u32 (r);
        break;
      case RIDGE_BODY_TEMPLATE:
        template_info_read (r, &m->template_.info);
        r_blob (r, &m->template_.data);
        break;
      case RIDGE_BODY_TPL_CAPACITY:
        m->tpl_capacity.capacity = r_u32 (r);
        m->tpl_capacity.used = r_u32 (r);
        break;
      case RIDGE_BODY_VERIFY:
        m->verify.id = r_u32 (r);
        r_str (r, &m->verify.user_id);
        m->verify.finger = r_u8 (r);
        m->verify.timeout_ms = r_u32 (r);
        break;
      case RIDGE_BODY_IDENTIFY:
        m->identify.timeout_ms = r_u32 (r);
        break;
      case RIDGE_BODY_MATCH_RESULT:
        m->match_result.matched = r_u8 (r);
        m->match_result.score = r_u32 (r);
        m->match_result.threshold = r_u32 (r);
        m->match_result.id = r_u32 (r);
        r_str (r, &m->match_result.user_id);
        m->match_result.finger = r_u8 (r);
        m->match_result.probe_quality = r_u8 (r);
        break;
      case RIDGE_BODY_SELFTEST:
        {
          RidgeWireCheck scratch;

          m->selftest.passed = r_u8 (r);
          m->selftest.n = r_u8 (r);
          list_read (r, m->selftest.n, check_read_v, &scratch, &m->selftest.raw,
                     &m->selftest.raw_len);
          m->selftest.items = NULL;
        }
        break;
      case RIDGE_BODY_PARAMS:
        {
          RidgeWireParam scratch;

          m->params.n = r_u8 (r);
          list_read (r, m->params.n, param_read_v, &scratch, &m->params.raw,
                     &m->params.raw_len);
          m->params.items = NULL;
        }
        break;
      case RIDGE_BODY_PARAM_SET:
        m->param_set.id = r_u8 (r);
        m->param_set.value = (int32_t)r_u32 (r);
        break;
      case RIDGE_BODY_COUNTERS:
        {
          RidgeWireCounter scratch;

          m->counters.n = r_u8 (r);
          list_read (r, m->counters.n, counter_read_v, &scratch, &m->counters.raw,
                     &m->counters.raw_len);
          m->counters.items = NULL;
        }
        break;
      case RIDGE_BODY_LOG_FETCH:
        m->log_fetch.offset = r_u32 (r);
        m->log_fetch.max = r_u16 (r);
        break;
      case RIDGE_BODY_LOG:
        m->log.offset = r_u32 (r);
        m->log.total = r_u32 (r);
        r_text (r, &m->log.text);
        break;
      case RIDGE_BODY_TIME:
        m->time.unix_us = (int64_t)r_u64 (r);
        break;
      case RIDGE_BODY_UNKNOWN:
      default:
        r_fail (r, RIDGE_WIRE_E_UNKNOWN_TYPE);
        break;
    }
}

int32_t
ridge_wire_encode (uint8_t            *out,
                   size_t              out_cap,
                   uint16_t            type,
                   uint8_t             flags,
                   uint32_t            seq,
                   const RidgeWireMsg *msg)
{
  RidgeWireBody body = ridge_wire_body_for (type, flags);
  RidgeWireHeader hdr;
  Writer w;

  if (out == NULL)
    return RIDGE_WIRE_E_INVALID;
  if (body == RIDGE_BODY_UNKNOWN)
    return RIDGE_WIRE_E_UNKNOWN_TYPE;
  if (msg == NULL && body != RIDGE_BODY_EMPTY)
    return RIDGE_WIRE_E_INVALID;
  if (out_cap < RIDGE_WIRE_OVERHEAD)
    return RIDGE_WIRE_E_NOSPACE;

  /* The payload is packed in place after the header; the trailer is then appended. */
  w.p = out + RIDGE_WIRE_HEADER_SIZE;
  w.cap = out_cap - RIDGE_WIRE_OVERHEAD;
  if (w.cap > RIDGE_WIRE_MAX_PAYLOAD)
    w.cap = RIDGE_WIRE_MAX_PAYLOAD;
  w.len = 0;
  w.err = RIDGE_WIRE_OK;
  body_write (&w, body, msg);
  if (w.err == RIDGE_WIRE_E_NOSPACE && out_cap - RIDGE_WIRE_OVERHEAD > RIDGE_WIRE_MAX_PAYLOAD)
    return RIDGE_WIRE_E_TOO_LARGE;
  if (w.err != RIDGE_WIRE_OK)
    return w.err;

  hdr.version = RIDGE_WIRE_VERSION;
  hdr.flags = flags;
  hdr.type = type;
  hdr.seq = seq;
  hdr.length = (uint32_t)w.len;
  return ridge_wire_frame_write (out, out_cap, &hdr, w.p);
}

int
ridge_wire_decode (const RidgeWireHeader *hdr,
                   const uint8_t         *payload,
                   RidgeWireMsg          *msg)
{
  static const uint8_t empty[1] = { 0 };
  Reader r;
  RidgeWireBody body;

  if (hdr == NULL || msg == NULL || (payload == NULL && hdr->length > 0))
    return RIDGE_WIRE_E_INVALID;
  memset (msg, 0, sizeof *msg);
  body = ridge_wire_body_for (hdr->type, hdr->flags);
  if (body == RIDGE_BODY_UNKNOWN)
    return RIDGE_WIRE_E_UNKNOWN_TYPE;
  r.p = payload != NULL ? payload : empty;
  r.len = hdr->length;
  r.pos = 0;
  r.err = RIDGE_WIRE_OK;
  body_read (&r, body, msg);
  return r.err;
}
