/* test-wire-msg.c — byte-literal vectors of every message, round trips, malformed bodies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected bytes (wire-vectors.h) are written field by field from docs/protocol.md by
 * build-aux/wire-vectors.py, independently of the codec; each C builder below sets the same
 * values in the structs. Encoding must give exactly those bytes; decoding them must give
 * the fields back.
 */

#include "ridge-wire.h"
#include "wire-test.h"
#include "wire-vectors.h"

#define S(text) ((RidgeWireStr) { (text), (uint16_t)(sizeof (text) - 1) })

static const RidgeWireMinutia minutiae[2] = {
  { 100, 200, 16384, RIDGE_WIRE_MINUTIA_ENDING, 80 },
  { 150, 120, 49152, RIDGE_WIRE_MINUTIA_BIFURCATION, 60 },
};
static const uint8_t raw_4x2[8] = { 0, 32, 64, 96, 128, 160, 192, 255 };
static const uint8_t rice_4x2[2] = { 0x01, 0xf0 };
static const uint8_t tpl_data[6] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01 };

static void
set_info (RidgeWireTerminalInfo *i)
{
  i->version = 1;
  i->max_payload = 262144;
  i->capabilities = 0x7ff;
  i->auth_methods = 0;
  i->model = S ("RT-1");
  i->serial = S ("SN0001");
  i->firmware_version = S ("0.1.0");
  i->algorithm_version = S ("ridge-engine 1");
  i->sensor_type = RIDGE_SENSOR_SYNTHETIC;
  i->width = 388;
  i->height = 374;
  i->dpi = 500;
  i->template_capacity = 1000;
  i->template_count = 3;
  i->boot_counter = 7;
  i->uptime_ms = 123456;
}

static void
set_frame_capture (RidgeWireFrame *f)
{
  f->frame_no = 0;
  f->timestamp_us = 5000000;
  f->width = 4;
  f->height = 2;
  f->dpi = 500;
  f->finger_present = 1;
  f->quality = 77;
  f->dropped_total = 0;
  f->encoding = RIDGE_ENC_RAW;
  f->n_minutiae = 2;
  f->minutiae = minutiae;
  f->image = (RidgeWireBlob) { raw_4x2, sizeof raw_4x2 };
}

static void
set_tpl_a (RidgeWireTemplateInfo *t)
{
  t->id = 5;
  t->user_id = S ("alice");
  t->name = S ("Alice R index");
  t->finger = 2;
  t->samples = 3;
  t->quality = 80;
  t->format = RIDGE_TPL_NATIVE;
  t->created_unix_ms = 1764072000000ull;
  t->updated_unix_ms = 1764072000000ull;
  t->size = 312;
}

static void
set_tpl_b (RidgeWireTemplateInfo *t)
{
  t->id = 6;
  t->user_id = S ("bob");
  t->name = S ("");
  t->finger = 7;
  t->samples = 3;
  t->quality = 65;
  t->format = RIDGE_TPL_ISO19794;
  t->created_unix_ms = 1764072100000ull;
  t->updated_unix_ms = 1764072200000ull;
  t->size = 198;
}

static void
set_match (RidgeWireMatchResult *m)
{
  m->matched = 1;
  m->score = 4711;
  m->threshold = 40;
  m->id = 5;
  m->user_id = S ("alice");
  m->finger = 2;
  m->probe_quality = 71;
}

static RidgeWireTemplateInfo tpl_items[2];
static const RidgeWireCheck checks[2] = {
  { 1, { "sensor", 6 }, { "ok", 2 } },
  { 0, { "store", 5 }, { "write failed", 12 } },
};
static const RidgeWireParam params[2] = {
  { 1, { "gain", 4 }, 10, 0, 31 },
  { 2, { "led", 3 }, -3, -5, 5 },
};
static const RidgeWireCounter counters[2] = {
  { { "frames_sent", 11 }, 12345 },
  { { "crc_errors", 10 }, 0 },
};

typedef struct {
  const char    *name;
  const uint8_t *bytes;
  size_t         len;
  uint16_t       type;
  uint8_t        flags;
  uint32_t       seq;
  RidgeWireBody  body;
} Vector;

#define REQ   0
#define RESP  RIDGE_WIRE_FLAG_RESPONSE
#define EVENT RIDGE_WIRE_FLAG_EVENT
#define ERROR (RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR)
#define V(n, t, f, s, b) { #n, vec_ ## n, sizeof vec_ ## n, RIDGE_MSG_ ## t, f, s, \
                           RIDGE_BODY_ ## b }

static const Vector vectors[] = {
  V (hello_req, HELLO, REQ, 1, HELLO),
  V (hello_resp, HELLO, RESP, 1, INFO),
  V (goodbye_req, GOODBYE, REQ, 9, GOODBYE),
  V (goodbye_resp, GOODBYE, RESP, 9, EMPTY),
  V (ping_req, PING, REQ, 2, PING),
  V (pong_resp, PING, RESP, 2, PONG),
  V (info_req, INFO, REQ, 3, EMPTY),
  V (discover_req, DISCOVER, REQ, 0, EMPTY),
  V (announce_resp, DISCOVER, RESP, 0, ANNOUNCE),
  V (capture_req, CAPTURE, REQ, 4, CAPTURE),
  V (capture_resp, CAPTURE, RESP, 4, FRAME),
  V (stream_start_req, STREAM_START, REQ, 5, STREAM_START),
  V (stream_start_resp, STREAM_START, RESP, 5, EMPTY),
  V (stream_credit_event, STREAM_CREDIT, EVENT, 1, STREAM_CREDIT),
  V (stream_stop_req, STREAM_STOP, REQ, 6, EMPTY),
  V (stream_stop_resp, STREAM_STOP, RESP, 6, STREAM_STATS),
  V (frame_event, FRAME, EVENT, 11, FRAME),
  V (finger_event, FINGER, EVENT, 12, FINGER),
  V (enroll_begin_req, ENROLL_BEGIN, REQ, 7, ENROLL_BEGIN),
  V (enroll_begun_resp, ENROLL_BEGIN, RESP, 7, ENROLL_BEGUN),
  V (enroll_sample_event, ENROLL_SAMPLE, EVENT, 13, ENROLL_SAMPLE),
  V (enroll_commit_req, ENROLL_COMMIT, REQ, 8, ENROLL_COMMIT),
  V (enroll_commit_resp, ENROLL_COMMIT, RESP, 8, TEMPLATE_INFO),
  V (enroll_cancel_req, ENROLL_CANCEL, REQ, 10, EMPTY),
  V (tpl_list_req, TPL_LIST, REQ, 20, TPL_LIST),
  V (tpl_list_resp, TPL_LIST, RESP, 20, TPL_LIST_RESULT),
  V (tpl_get_req, TPL_GET, REQ, 21, TPL_ID),
  V (tpl_get_resp, TPL_GET, RESP, 21, TEMPLATE),
  V (tpl_put_req, TPL_PUT, REQ, 22, TEMPLATE),
  V (tpl_put_resp, TPL_PUT, RESP, 22, TEMPLATE_INFO),
  V (tpl_delete_req, TPL_DELETE, REQ, 23, TPL_ID),
  V (tpl_update_req, TPL_UPDATE, REQ, 24, TEMPLATE_INFO),
  V (tpl_capacity_req, TPL_CAPACITY, REQ, 25, EMPTY),
  V (tpl_capacity_resp, TPL_CAPACITY, RESP, 25, TPL_CAPACITY),
  V (tpl_clear_resp, TPL_CLEAR, RESP, 26, TPL_CAPACITY),
  V (verify_req, VERIFY, REQ, 30, VERIFY),
  V (verify_resp, VERIFY, RESP, 30, MATCH_RESULT),
  V (identify_req, IDENTIFY, REQ, 31, IDENTIFY),
  V (selftest_resp, SELFTEST, RESP, 40, SELFTEST),
  V (param_get_resp, PARAM_GET, RESP, 41, PARAMS),
  V (param_set_req, PARAM_SET, REQ, 42, PARAM_SET),
  V (counters_resp, COUNTERS, RESP, 43, COUNTERS),
  V (log_fetch_req, LOG_FETCH, REQ, 44, LOG_FETCH),
  V (log_resp, LOG_FETCH, RESP, 44, LOG),
  V (time_get_resp, TIME_GET, RESP, 45, TIME),
  V (time_set_req, TIME_SET, REQ, 46, TIME),
  V (reboot_req, REBOOT, REQ, 47, EMPTY),
  { "error_version", vec_error_version, sizeof vec_error_version, RIDGE_MSG_HELLO, ERROR, 1,
    RIDGE_BODY_ERROR },
  { "error_unsupported", vec_error_unsupported, sizeof vec_error_unsupported, 0x7777, ERROR, 50,
    RIDGE_BODY_ERROR },
};

#define N_VECTORS (sizeof vectors / sizeof vectors[0])

/* Sets the message of vector v, as build-aux/wire-vectors.py describes it. */
static void
build (const Vector *v,
       RidgeWireMsg *m)
{
  const char *n = v->name;

  memset (m, 0, sizeof *m);
  set_tpl_a (&tpl_items[0]);
  set_tpl_b (&tpl_items[1]);

  if (!strcmp (n, "hello_req"))
    {
      m->hello.version_min = 1;
      m->hello.version_max = 1;
      m->hello.max_payload = 1048576;
      m->hello.client_name = S ("ridgectl 0.1.0");
    }
  else if (!strcmp (n, "hello_resp"))
    set_info (&m->info);
  else if (!strcmp (n, "goodbye_req"))
    m->goodbye.reason = 0;
  else if (!strcmp (n, "ping_req"))
    m->ping.client_time_us = 1000000;
  else if (!strcmp (n, "pong_resp"))
    {
      m->pong.client_time_us = 1000000;
      m->pong.terminal_time_us = 5000000;
      m->pong.uptime_ms = 123456;
      m->pong.boot_counter = 7;
    }
  else if (!strcmp (n, "announce_resp"))
    {
      m->announce.tcp_port = 7420;
      m->announce.busy = 1;
      m->announce.holder = S ("192.168.1.20:51000");
      set_info (&m->announce.info);
    }
  else if (!strcmp (n, "capture_req"))
    {
      m->capture.flags = RIDGE_CAPTURE_WAIT_FINGER | RIDGE_CAPTURE_MINUTIAE
                         | RIDGE_CAPTURE_COMPRESS;
      m->capture.timeout_ms = 5000;
    }
  else if (!strcmp (n, "capture_resp"))
    set_frame_capture (&m->frame);
  else if (!strcmp (n, "stream_start_req"))
    {
      m->stream_start.credits = 4;
      m->stream_start.max_fps = 10;
      m->stream_start.flags = RIDGE_CAPTURE_MINUTIAE | RIDGE_CAPTURE_COMPRESS;
    }
  else if (!strcmp (n, "stream_credit_event"))
    m->stream_credit.credits = 2;
  else if (!strcmp (n, "stream_stop_resp"))
    {
      m->stream_stats.frames_sent = 120;
      m->stream_stats.frames_dropped = 3;
    }
  else if (!strcmp (n, "frame_event"))
    {
      m->frame.frame_no = 42;
      m->frame.timestamp_us = 6000000;
      m->frame.width = 4;
      m->frame.height = 2;
      m->frame.dpi = 500;
      m->frame.finger_present = 0;
      m->frame.quality = 255;
      m->frame.dropped_total = 3;
      m->frame.encoding = RIDGE_ENC_RICE;
      m->frame.image = (RidgeWireBlob) { rice_4x2, sizeof rice_4x2 };
    }
  else if (!strcmp (n, "finger_event"))
    {
      m->finger.present = 1;
      m->finger.timestamp_us = 99999;
    }
  else if (!strcmp (n, "enroll_begin_req"))
    {
      m->enroll_begin.user_id = S ("alice");
      m->enroll_begin.finger = 2;
      m->enroll_begin.samples = 3;
      m->enroll_begin.timeout_ms = 10000;
    }
  else if (!strcmp (n, "enroll_begun_resp"))
    m->enroll_begun.enroll_id = 17;
  else if (!strcmp (n, "enroll_sample_event"))
    {
      m->enroll_sample.enroll_id = 17;
      m->enroll_sample.index = 0;
      m->enroll_sample.samples = 3;
      m->enroll_sample.accepted = 1;
      m->enroll_sample.status = RIDGE_SAMPLE_ACCEPTED;
      m->enroll_sample.quality = 80;
      set_frame_capture (&m->enroll_sample.frame);
    }
  else if (!strcmp (n, "enroll_commit_req"))
    {
      m->enroll_commit.enroll_id = 17;
      m->enroll_commit.flags = RIDGE_COMMIT_ALLOW_DUPLICATE;
      m->enroll_commit.name = S ("Alice R index");
    }
  else if (!strcmp (n, "enroll_commit_resp") || !strcmp (n, "tpl_put_resp"))
    set_tpl_a (&m->template_info);
  else if (!strcmp (n, "tpl_list_req"))
    {
      m->tpl_list.offset = 0;
      m->tpl_list.max = 64;
    }
  else if (!strcmp (n, "tpl_list_resp"))
    {
      m->tpl_list_result.total = 2;
      m->tpl_list_result.n = 2;
      m->tpl_list_result.items = tpl_items;
    }
  else if (!strcmp (n, "tpl_get_req") || !strcmp (n, "tpl_delete_req"))
    m->tpl_id.id = 5;
  else if (!strcmp (n, "tpl_get_resp") || !strcmp (n, "tpl_put_req"))
    {
      set_tpl_a (&m->template_.info);
      m->template_.data = (RidgeWireBlob) { tpl_data, sizeof tpl_data };
    }
  else if (!strcmp (n, "tpl_update_req"))
    set_tpl_b (&m->template_info);
  else if (!strcmp (n, "tpl_capacity_resp"))
    {
      m->tpl_capacity.capacity = 1000;
      m->tpl_capacity.used = 3;
    }
  else if (!strcmp (n, "tpl_clear_resp"))
    {
      m->tpl_capacity.capacity = 1000;
      m->tpl_capacity.used = 0;
    }
  else if (!strcmp (n, "verify_req"))
    {
      m->verify.id = 0;
      m->verify.user_id = S ("alice");
      m->verify.finger = 2;
      m->verify.timeout_ms = 5000;
    }
  else if (!strcmp (n, "verify_resp"))
    set_match (&m->match_result);
  else if (!strcmp (n, "identify_req"))
    m->identify.timeout_ms = 5000;
  else if (!strcmp (n, "selftest_resp"))
    {
      m->selftest.passed = 0;
      m->selftest.n = 2;
      m->selftest.items = checks;
    }
  else if (!strcmp (n, "param_get_resp"))
    {
      m->params.n = 2;
      m->params.items = params;
    }
  else if (!strcmp (n, "param_set_req"))
    {
      m->param_set.id = 2;
      m->param_set.value = -3;
    }
  else if (!strcmp (n, "counters_resp"))
    {
      m->counters.n = 2;
      m->counters.items = counters;
    }
  else if (!strcmp (n, "log_fetch_req"))
    {
      m->log_fetch.offset = 0;
      m->log_fetch.max = 4096;
    }
  else if (!strcmp (n, "log_resp"))
    {
      m->log.offset = 0;
      m->log.total = 8;
      m->log.text = S ("boot ok\n");
    }
  else if (!strcmp (n, "time_get_resp"))
    m->time.unix_us = 1764072000000000ll;
  else if (!strcmp (n, "time_set_req"))
    m->time.unix_us = -1;
  else if (!strcmp (n, "error_version"))
    {
      m->error.code = RIDGE_ERR_VERSION;
      m->error.text = S ("no common protocol version");
    }
  else if (!strcmp (n, "error_unsupported"))
    {
      m->error.code = RIDGE_ERR_UNSUPPORTED;
      m->error.text = S ("unsupported message type 0x7777");
    }
}

static void
dump_diff (const char    *name,
           const uint8_t *got,
           size_t         got_len,
           const uint8_t *want,
           size_t         want_len)
{
  printf ("# %s: encoded %zu bytes, expected %zu\n", name, got_len, want_len);
  for (size_t i = 0; i < got_len && i < want_len; i++)
    {
      if (got[i] != want[i])
        {
          printf ("# first difference at byte %zu: 0x%02x, expected 0x%02x\n", i, got[i],
                  want[i]);
          break;
        }
    }
}

/* Every vector: body selection, exact encoding, decoding, re-encoding of the decoded
 * views (relay), NOSPACE for every too-small buffer. */
static void
test_vectors_encode (void)
{
  static uint8_t out[4096];

  for (size_t i = 0; i < N_VECTORS; i++)
    {
      const Vector *v = &vectors[i];
      RidgeWireMsg m;
      int32_t n;

      CHECK_EQ (ridge_wire_body_for (v->type, v->flags), v->body);
      build (v, &m);
      n = ridge_wire_encode (out, sizeof out, v->type, v->flags, v->seq,
                             v->body == RIDGE_BODY_EMPTY ? NULL : &m);
      if (n != (int32_t)v->len || memcmp (out, v->bytes, v->len) != 0)
        {
          dump_diff (v->name, out, n > 0 ? (size_t)n : 0, v->bytes, v->len);
          CHECK (0);
        }
      for (size_t cap = 0; cap < v->len; cap++)
        CHECK_EQ (ridge_wire_encode (out, cap, v->type, v->flags, v->seq, &m),
                  RIDGE_WIRE_E_NOSPACE);
    }
}

static void
test_vectors_decode (void)
{
  static uint8_t payload[4096], out[4096];

  for (size_t i = 0; i < N_VECTORS; i++)
    {
      const Vector *v = &vectors[i];
      RidgeWireDecoder dec;
      RidgeWireMsg m;
      size_t used = 0;
      int32_t n;

      ridge_wire_decoder_init (&dec, payload, sizeof payload);
      CHECK_EQ (ridge_wire_decoder_feed (&dec, v->bytes, v->len, &used), RIDGE_WIRE_DEC_FRAME);
      CHECK_EQ (used, v->len);
      CHECK_EQ (dec.header.type, v->type);
      CHECK_EQ (dec.header.flags, v->flags);
      CHECK_EQ (dec.header.seq, v->seq);
      CHECK_EQ (dec.header.version, RIDGE_WIRE_VERSION);
      CHECK_EQ (dec.header.length, v->len - RIDGE_WIRE_OVERHEAD);
      CHECK_EQ (ridge_wire_decode (&dec.header, dec.payload, &m), RIDGE_WIRE_OK);
      /* Re-encoding the decoded views gives the same bytes. */
      n = ridge_wire_encode (out, sizeof out, v->type, v->flags, v->seq, &m);
      if (n != (int32_t)v->len || memcmp (out, v->bytes, v->len) != 0)
        {
          printf ("# %s: re-encoding the decoded message differs\n", v->name);
          CHECK (0);
        }
    }
}

/* Field-level checks of decoded vectors, including the list iterators. */
static int
decode_vector (const uint8_t   *bytes,
               size_t           len,
               RidgeWireMsg    *m,
               RidgeWireHeader *hdr)
{
  hdr->version = bytes[2];
  hdr->flags = bytes[3];
  hdr->type = (uint16_t)(bytes[4] | bytes[5] << 8);
  hdr->seq = 0;
  hdr->length = (uint32_t)(len - RIDGE_WIRE_OVERHEAD);
  return ridge_wire_decode (hdr, bytes + RIDGE_WIRE_HEADER_SIZE, m);
}

static void
test_decoded_fields (void)
{
  RidgeWireHeader hdr;
  RidgeWireMsg m;
  RidgeWireTemplateInfo t;
  RidgeWireMinutia mi;
  RidgeWireCheck c;
  RidgeWireParam p;
  RidgeWireCounter k;
  uint32_t cur;

  CHECK_EQ (decode_vector (vec_hello_req, sizeof vec_hello_req, &m, &hdr), 0);
  CHECK_EQ (m.hello.version_min, 1);
  CHECK_EQ (m.hello.max_payload, 1048576);
  CHECK (wt_str_eq (m.hello.client_name.ptr, m.hello.client_name.len, "ridgectl 0.1.0"));

  CHECK_EQ (decode_vector (vec_announce_resp, sizeof vec_announce_resp, &m, &hdr), 0);
  CHECK_EQ (m.announce.tcp_port, 7420);
  CHECK (wt_str_eq (m.announce.holder.ptr, m.announce.holder.len, "192.168.1.20:51000"));
  CHECK_EQ (m.announce.info.width, 388);
  CHECK_EQ (m.announce.info.uptime_ms, 123456);
  CHECK (wt_str_eq (m.announce.info.algorithm_version.ptr, m.announce.info.algorithm_version.len,
                    "ridge-engine 1"));

  CHECK_EQ (decode_vector (vec_pong_resp, sizeof vec_pong_resp, &m, &hdr), 0);
  CHECK_EQ (m.pong.terminal_time_us, 5000000);
  CHECK_EQ (m.pong.boot_counter, 7);

  CHECK_EQ (decode_vector (vec_capture_resp, sizeof vec_capture_resp, &m, &hdr), 0);
  CHECK_EQ (m.frame.n_minutiae, 2);
  CHECK_EQ (m.frame.quality, 77);
  CHECK_EQ (m.frame.image.len, 8);
  CHECK_EQ (m.frame.image.ptr[7], 255);
  ridge_wire_minutia_at (m.frame.minutiae_raw, 1, &mi);
  CHECK_EQ (mi.x, 150);
  CHECK_EQ (mi.y, 120);
  CHECK_EQ (mi.angle, 49152);
  CHECK_EQ (mi.type, RIDGE_WIRE_MINUTIA_BIFURCATION);
  CHECK_EQ (mi.quality, 60);

  CHECK_EQ (decode_vector (vec_enroll_sample_event, sizeof vec_enroll_sample_event, &m, &hdr),
            0);
  CHECK_EQ (m.enroll_sample.accepted, 1);
  CHECK_EQ (m.enroll_sample.frame.width, 4);
  CHECK_EQ (m.enroll_sample.frame.n_minutiae, 2);

  CHECK_EQ (decode_vector (vec_tpl_list_resp, sizeof vec_tpl_list_resp, &m, &hdr), 0);
  CHECK_EQ (m.tpl_list_result.total, 2);
  CHECK_EQ (m.tpl_list_result.n, 2);
  cur = 0;
  CHECK_EQ (ridge_wire_tpl_list_next (&m.tpl_list_result, &cur, &t), 0);
  CHECK_EQ (t.id, 5);
  CHECK (wt_str_eq (t.name.ptr, t.name.len, "Alice R index"));
  CHECK_EQ (ridge_wire_tpl_list_next (&m.tpl_list_result, &cur, &t), 0);
  CHECK_EQ (t.id, 6);
  CHECK_EQ (t.name.len, 0);
  CHECK_EQ (t.updated_unix_ms, 1764072200000ull);
  CHECK_EQ (cur, m.tpl_list_result.raw_len);
  CHECK (ridge_wire_tpl_list_next (&m.tpl_list_result, &cur, &t) < 0);

  CHECK_EQ (decode_vector (vec_tpl_get_resp, sizeof vec_tpl_get_resp, &m, &hdr), 0);
  CHECK_EQ (m.template_.data.len, 6);
  CHECK_EQ (m.template_.data.ptr[0], 0xde);
  CHECK_EQ (m.template_.info.size, 312);

  CHECK_EQ (decode_vector (vec_selftest_resp, sizeof vec_selftest_resp, &m, &hdr), 0);
  cur = 0;
  CHECK_EQ (ridge_wire_selftest_next (&m.selftest, &cur, &c), 0);
  CHECK_EQ (c.passed, 1);
  CHECK_EQ (ridge_wire_selftest_next (&m.selftest, &cur, &c), 0);
  CHECK (wt_str_eq (c.detail.ptr, c.detail.len, "write failed"));

  CHECK_EQ (decode_vector (vec_param_get_resp, sizeof vec_param_get_resp, &m, &hdr), 0);
  cur = 0;
  CHECK_EQ (ridge_wire_params_next (&m.params, &cur, &p), 0);
  CHECK_EQ (ridge_wire_params_next (&m.params, &cur, &p), 0);
  CHECK_EQ (p.value, -3);
  CHECK_EQ (p.min, -5);
  CHECK (wt_str_eq (p.name.ptr, p.name.len, "led"));

  CHECK_EQ (decode_vector (vec_counters_resp, sizeof vec_counters_resp, &m, &hdr), 0);
  cur = 0;
  CHECK_EQ (ridge_wire_counters_next (&m.counters, &cur, &k), 0);
  CHECK_EQ (k.value, 12345);

  CHECK_EQ (decode_vector (vec_time_set_req, sizeof vec_time_set_req, &m, &hdr), 0);
  CHECK_EQ (m.time.unix_us, -1);

  CHECK_EQ (decode_vector (vec_error_unsupported, sizeof vec_error_unsupported, &m, &hdr), 0);
  CHECK_EQ (m.error.code, RIDGE_ERR_UNSUPPORTED);
  CHECK (wt_str_eq (m.error.text.ptr, m.error.text.len, "unsupported message type 0x7777"));
}

/* Every proper prefix of every non-empty body is TRUNCATED; extra bytes are ignored. */
static void
test_truncated_and_extended (void)
{
  static uint8_t longer[4096], out[4096];

  for (size_t i = 0; i < N_VECTORS; i++)
    {
      const Vector *v = &vectors[i];
      uint32_t plen = (uint32_t)(v->len - RIDGE_WIRE_OVERHEAD);
      RidgeWireHeader hdr = { 1, v->flags, v->type, v->seq, 0 };
      RidgeWireMsg m;
      int32_t n;

      for (uint32_t cut = 0; cut < plen; cut++)
        {
          hdr.length = cut;
          CHECK_EQ (ridge_wire_decode (&hdr, v->bytes + RIDGE_WIRE_HEADER_SIZE, &m),
                    RIDGE_WIRE_E_TRUNCATED);
        }
      memcpy (longer, v->bytes + RIDGE_WIRE_HEADER_SIZE, plen);
      memcpy (longer + plen, "\x01\x02\x03\xff\x00", 5);
      hdr.length = plen + 5;
      CHECK_EQ (ridge_wire_decode (&hdr, longer, &m), RIDGE_WIRE_OK);
      n = ridge_wire_encode (out, sizeof out, v->type, v->flags, v->seq, &m);
      CHECK (n == (int32_t)v->len && memcmp (out, v->bytes, v->len) == 0);
    }
}

/* Hand-typed, byte by byte, to pin the frame layout independently of any script:
 * PING request, seq 2, client_time_us 1000000 (0x0F4240). */
static void
test_literal_ping (void)
{
  static const uint8_t ping[] = {
    0x52, 0x47,                                     /* magic "RG" */
    0x01,                                           /* version 1 */
    0x00,                                           /* flags: request */
    0x03, 0x00,                                     /* type PING */
    0x02, 0x00, 0x00, 0x00,                         /* seq 2 */
    0x08, 0x00, 0x00, 0x00,                         /* length 8 */
    0x00, 0x00,                                     /* header CRC-16, filled in below */
    0x40, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, /* client_time_us */
    0x00, 0x00, 0x00, 0x00,                         /* CRC-32 of the payload, filled in below */
  };
  uint8_t want[sizeof ping];
  uint16_t h;
  uint32_t c;

  memcpy (want, ping, sizeof ping);
  h = ridge_wire_crc16 (want, 14);
  want[14] = (uint8_t)h;
  want[15] = (uint8_t)(h >> 8);
  c = ridge_wire_crc32 (0, want + 16, 8);
  memcpy (want + 24, (uint8_t[]) { (uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16),
                                   (uint8_t)(c >> 24) }, 4);
  /* The generated vector must agree with the hand-typed layout. */
  CHECK_EQ (sizeof vec_ping_req, sizeof want);
  CHECK (memcmp (vec_ping_req, want, sizeof want) == 0);
}

static void
test_crc_check_values (void)
{
  CHECK_EQ (ridge_wire_crc32 (0, "123456789", 9), 0xcbf43926u);
  CHECK_EQ (ridge_wire_crc16 ("123456789", 9), 0x29b1);
  /* CRC-32 chains like zlib's crc32(). */
  CHECK_EQ (ridge_wire_crc32 (ridge_wire_crc32 (0, "1234", 4), "56789", 5), 0xcbf43926u);
  CHECK_EQ (ridge_wire_crc32 (0, "", 0), 0);
}

static void
test_names (void)
{
  CHECK (strcmp (ridge_wire_type_name (RIDGE_MSG_PING), "PING") == 0);
  CHECK (strcmp (ridge_wire_type_name (RIDGE_MSG_TPL_CLEAR), "TPL_CLEAR") == 0);
  CHECK (ridge_wire_type_name (0x7777) == NULL);
  CHECK (strcmp (ridge_wire_error_code_name (RIDGE_ERR_BUSY), "BUSY") == 0);
  CHECK (strcmp (ridge_wire_error_code_name (RIDGE_ERR_NOT_HELLO), "NOT_HELLO") == 0);
  CHECK (strcmp (ridge_wire_error_code_name (999), "UNKNOWN") == 0);
  /* every code of the header has its own name */
  for (uint16_t c = RIDGE_ERR_MALFORMED; c <= RIDGE_ERR_NOT_HELLO; c++)
    {
      CHECK (strcmp (ridge_wire_error_code_name (c), "UNKNOWN") != 0);
      for (uint16_t d = RIDGE_ERR_MALFORMED; d < c; d++)
        CHECK (strcmp (ridge_wire_error_code_name (c), ridge_wire_error_code_name (d)) != 0);
    }
  for (int r = 0; r >= -11; r--)
    CHECK (ridge_wire_strerror (r) != NULL && ridge_wire_strerror (r)[0] != '\0');
  /* Every type of the header has a name and a body for request and response. */
  for (uint32_t t = 0; t < 0x100; t++)
    {
      if (ridge_wire_type_name ((uint16_t)t) == NULL)
        {
          CHECK_EQ (ridge_wire_body_for ((uint16_t)t, 0), RIDGE_BODY_UNKNOWN);
          continue;
        }
      CHECK (ridge_wire_body_for ((uint16_t)t, 0) != RIDGE_BODY_UNKNOWN);
      CHECK (ridge_wire_body_for ((uint16_t)t, RIDGE_WIRE_FLAG_RESPONSE) != RIDGE_BODY_UNKNOWN);
    }
}

/* Malformed and hostile bodies. */
static void
test_malformed_bodies (void)
{
  static uint8_t buf[4096], out[2048];
  RidgeWireHeader hdr = { 1, 0, RIDGE_MSG_HELLO, 1, 0 };
  RidgeWireMsg m;
  uint8_t pl[64] = { 0 };

  /* unknown type */
  hdr.type = 0x7777;
  hdr.length = 0;
  CHECK_EQ (ridge_wire_decode (&hdr, pl, &m), RIDGE_WIRE_E_UNKNOWN_TYPE);
  CHECK_EQ (ridge_wire_encode (buf, sizeof buf, 0x7777, 0, 1, &m), RIDGE_WIRE_E_UNKNOWN_TYPE);
  CHECK_EQ (ridge_wire_body_for (0x7777, RIDGE_WIRE_FLAG_EVENT), RIDGE_BODY_UNKNOWN);

  /* string longer than its u8 prefix */
  memset (&m, 0, sizeof m);
  m.hello.client_name = (RidgeWireStr) { (const char *)buf, 256 };
  CHECK_EQ (ridge_wire_encode (out, sizeof out, RIDGE_MSG_HELLO, 0, 1, &m), RIDGE_WIRE_E_INVALID);
  /* string with a NULL pointer */
  m.hello.client_name = (RidgeWireStr) { NULL, 3 };
  CHECK_EQ (ridge_wire_encode (out, sizeof out, RIDGE_MSG_HELLO, 0, 1, &m), RIDGE_WIRE_E_INVALID);
  /* a body is required */
  CHECK_EQ (ridge_wire_encode (out, sizeof out, RIDGE_MSG_HELLO, 0, 1, NULL),
            RIDGE_WIRE_E_INVALID);

  /* string length pointing past the payload */
  hdr.type = RIDGE_MSG_HELLO;
  memset (pl, 0, sizeof pl);
  pl[10] = 200;
  hdr.length = 20;
  CHECK_EQ (ridge_wire_decode (&hdr, pl, &m), RIDGE_WIRE_E_TRUNCATED);

  /* too many list entries: encode and decode */
  memset (&m, 0, sizeof m);
  m.tpl_list_result.n = RIDGE_WIRE_MAX_LIST + 1;
  m.tpl_list_result.items = tpl_items;
  CHECK_EQ (ridge_wire_encode (out, sizeof out, RIDGE_MSG_TPL_LIST, RIDGE_WIRE_FLAG_RESPONSE, 1,
                               &m), RIDGE_WIRE_E_TOO_MANY);
  memset (pl, 0, sizeof pl);
  pl[4] = RIDGE_WIRE_MAX_LIST + 1;
  hdr = (RidgeWireHeader) { 1, RIDGE_WIRE_FLAG_RESPONSE, RIDGE_MSG_TPL_LIST, 1, 6 };
  CHECK_EQ (ridge_wire_decode (&hdr, pl, &m), RIDGE_WIRE_E_TOO_MANY);
  pl[4] = 0xff;
  pl[5] = 0xff;
  CHECK_EQ (ridge_wire_decode (&hdr, pl, &m), RIDGE_WIRE_E_TOO_MANY);
  /* list count larger than its entries */
  pl[4] = 3;
  pl[5] = 0;
  CHECK_EQ (ridge_wire_decode (&hdr, pl, &m), RIDGE_WIRE_E_TRUNCATED);

  /* minutiae above the bound */
  memset (&m, 0, sizeof m);
  m.frame.n_minutiae = RIDGE_WIRE_MAX_MINUTIAE + 1;
  m.frame.minutiae_raw = buf;
  CHECK_EQ (ridge_wire_encode (out, sizeof out, RIDGE_MSG_FRAME, RIDGE_WIRE_FLAG_EVENT, 1, &m),
            RIDGE_WIRE_E_TOO_MANY);

  /* RAW image whose size disagrees with width x height */
  memset (&m, 0, sizeof m);
  m.frame.width = 4;
  m.frame.height = 2;
  m.frame.image = (RidgeWireBlob) { raw_4x2, 7 };
  CHECK_EQ (ridge_wire_encode (out, sizeof out, RIDGE_MSG_FRAME, RIDGE_WIRE_FLAG_EVENT, 1, &m),
            RIDGE_WIRE_E_INVALID);
  {
    uint8_t fr[sizeof vec_frame_event];
    RidgeWireHeader h2 = { 1, RIDGE_WIRE_FLAG_EVENT, RIDGE_MSG_FRAME, 11, 0 };

    /* frame_event with its encoding switched to RAW: 2 bytes for a 4x2 image */
    memcpy (fr, vec_frame_event, sizeof fr);
    fr[RIDGE_WIRE_HEADER_SIZE + 24] = RIDGE_ENC_RAW;
    h2.length = (uint32_t)(sizeof fr - RIDGE_WIRE_OVERHEAD);
    CHECK_EQ (ridge_wire_decode (&h2, fr + RIDGE_WIRE_HEADER_SIZE, &m), RIDGE_WIRE_E_INVALID);
    /* RICE image larger than the codec's bound for 1x1 */
    fr[RIDGE_WIRE_HEADER_SIZE + 24] = RIDGE_ENC_RICE;
    fr[RIDGE_WIRE_HEADER_SIZE + 12] = 1;
    fr[RIDGE_WIRE_HEADER_SIZE + 14] = 1;
    fr[RIDGE_WIRE_HEADER_SIZE + 15] = 0;
    fr[RIDGE_WIRE_HEADER_SIZE + 16] = 0;
    CHECK_EQ (ridge_wire_decode (&h2, fr + RIDGE_WIRE_HEADER_SIZE, &m), RIDGE_WIRE_OK);
    CHECK_EQ (m.frame.width, 1);
    fr[RIDGE_WIRE_HEADER_SIZE + 12] = 0; /* 0 x 1: bound 1 < 2 bytes */
    CHECK_EQ (ridge_wire_decode (&h2, fr + RIDGE_WIRE_HEADER_SIZE, &m), RIDGE_WIRE_E_INVALID);
  }

  /* bodies above the protocol maximum */
  {
    static uint8_t big_in[RIDGE_WIRE_MAX_PAYLOAD + 1], big_out[RIDGE_WIRE_MAX_PAYLOAD + 4096];

    memset (&m, 0, sizeof m);
    m.template_.data = (RidgeWireBlob) { big_in, RIDGE_WIRE_MAX_PAYLOAD + 1 };
    CHECK_EQ (ridge_wire_encode (big_out, sizeof big_out, RIDGE_MSG_TPL_PUT, 0, 1, &m),
              RIDGE_WIRE_E_TOO_LARGE);
    /* the blob fits the limit, the body with its metadata does not */
    m.template_.data.len = RIDGE_WIRE_MAX_PAYLOAD - 10;
    CHECK_EQ (ridge_wire_encode (big_out, sizeof big_out, RIDGE_MSG_TPL_PUT, 0, 1, &m),
              RIDGE_WIRE_E_TOO_LARGE);
    m.template_.data.len = RIDGE_WIRE_MAX_PAYLOAD - 64;  /* + 34 bytes of metadata */
    CHECK_EQ (ridge_wire_encode (big_out, sizeof big_out, RIDGE_MSG_TPL_PUT, 0, 1, &m),
              (int32_t)(RIDGE_WIRE_MAX_PAYLOAD - 64 + 34 + RIDGE_WIRE_OVERHEAD));
  }

  /* frame_write refuses a payload above the protocol maximum and NULL payloads */
  {
    RidgeWireHeader big = { 1, 0, RIDGE_MSG_PING, 1, RIDGE_WIRE_MAX_PAYLOAD + 1 };

    CHECK_EQ (ridge_wire_frame_write (out, sizeof out, &big, buf), RIDGE_WIRE_E_TOO_LARGE);
    big.length = 4;
    CHECK_EQ (ridge_wire_frame_write (out, sizeof out, &big, NULL), RIDGE_WIRE_E_INVALID);
    CHECK_EQ (ridge_wire_frame_write (out, 23, &big, buf), RIDGE_WIRE_E_NOSPACE);
    CHECK_EQ (ridge_wire_frame_write (out, 24, &big, buf), 24);
  }
}

int
main (void)
{
  wt_run ("crc check values", test_crc_check_values);
  wt_run ("literal PING frame", test_literal_ping);
  wt_run ("names and body table", test_names);
  wt_run ("vectors: exact encoding of every message", test_vectors_encode);
  wt_run ("vectors: decoding and re-encoding", test_vectors_decode);
  wt_run ("vectors: decoded fields and list iterators", test_decoded_fields);
  wt_run ("truncated bodies fail, extra bytes are ignored", test_truncated_and_extended);
  wt_run ("malformed bodies", test_malformed_bodies);
  return wt_done ();
}
