/* test-wire-fuzz.c — the fuzz checks (wire-fuzz.h) on a fixed-seed generated corpus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs for RIDGE_WIRE_FUZZ_SECONDS (default 3) seconds: mutated copies of the protocol
 * vectors (payload mutations with repaired CRCs reach the message decoder; raw mutations
 * exercise resynchronisation) and pure random bytes, through the frame decoder (two
 * chunkings), the message decoder under every flag combination and the Rice decoder.
 * Every input is a malloc'd block of exactly its size, so that valgrind and ASan see any
 * read past the end.
 */

#define _POSIX_C_SOURCE 200809L

#include "wire-fuzz.h"
#include "wire-test.h"
#include "wire-vectors.h"

#include <time.h>

typedef struct { const uint8_t *b; size_t n; } Seed;

#define SEED(x) { vec_ ## x, sizeof vec_ ## x }
static const Seed seeds[] = {
  SEED (hello_req), SEED (hello_resp), SEED (goodbye_req), SEED (ping_req), SEED (pong_resp),
  SEED (announce_resp), SEED (capture_req), SEED (capture_resp), SEED (stream_start_req),
  SEED (stream_credit_event), SEED (stream_stop_resp), SEED (frame_event), SEED (finger_event),
  SEED (enroll_begin_req), SEED (enroll_begun_resp), SEED (enroll_sample_event),
  SEED (enroll_commit_req), SEED (enroll_commit_resp), SEED (tpl_list_req), SEED (tpl_list_resp),
  SEED (tpl_get_resp), SEED (tpl_put_req), SEED (tpl_update_req), SEED (tpl_capacity_resp),
  SEED (verify_req), SEED (verify_resp), SEED (identify_req), SEED (selftest_resp),
  SEED (param_get_resp), SEED (param_set_req), SEED (counters_resp), SEED (log_fetch_req),
  SEED (log_resp), SEED (time_set_req), SEED (error_version), SEED (error_unsupported),
};
#define N_SEEDS (sizeof seeds / sizeof seeds[0])
#define WORK_MAX 16384

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One random edit of buf[0..*len). */
static void
mutate (uint8_t *buf,
        size_t  *len,
        size_t   from)
{
  size_t n = *len;
  uint32_t kind = wt_rand_range (7);

  if (n <= from)
    kind = 2;
  switch (kind)
    {
      case 0: /* bit flip */
        buf[from + wt_rand_range ((uint32_t)(n - from))] ^= (uint8_t)(1u << wt_rand_range (8));
        break;
      case 1: /* interesting byte */
        {
          static const uint8_t v[] = { 0, 1, 0x7f, 0x80, 0xff, 0xfe, 'R', 'G', 64, 65 };

          buf[from + wt_rand_range ((uint32_t)(n - from))] = v[wt_rand_range (sizeof v)];
        }
        break;
      case 2: /* insert bytes */
        if (n + 8 <= WORK_MAX)
          {
            size_t at = from + wt_rand_range ((uint32_t)(n - from + 1));
            size_t k = 1 + wt_rand_range (8);

            memmove (buf + at + k, buf + at, n - at);
            for (size_t i = 0; i < k; i++)
              buf[at + i] = (uint8_t)wt_rand ();
            *len = n + k;
          }
        break;
      case 3: /* delete a range */
        {
          size_t at = from + wt_rand_range ((uint32_t)(n - from));
          size_t k = 1 + wt_rand_range (16);

          if (k > n - at)
            k = n - at;
          memmove (buf + at, buf + at + k, n - at - k);
          *len = n - k;
        }
        break;
      case 4: /* truncate */
        *len = from + wt_rand_range ((uint32_t)(n - from));
        break;
      case 5: /* a u8 or u16 count/length set large */
        {
          size_t at = from + wt_rand_range ((uint32_t)(n - from));

          buf[at] = (uint8_t)(wt_rand () | 0x40);
        }
        break;
      default: /* duplicate a range */
        {
          size_t at = from + wt_rand_range ((uint32_t)(n - from));
          size_t k = 1 + wt_rand_range (32);

          if (k > n - at)
            k = n - at;
          if (n + k <= WORK_MAX)
            {
              memmove (buf + at + k, buf + at, n - at);
              *len = n + k;
            }
        }
        break;
    }
}

/* Copies a seed frame with a mutated payload and repaired header and CRC. */
static size_t
mutated_valid_frame (uint8_t *out,
                     size_t   cap)
{
  static uint8_t pl[WORK_MAX];
  const Seed *s = &seeds[wt_rand_range (N_SEEDS)];
  size_t plen = s->n - RIDGE_WIRE_OVERHEAD;
  RidgeWireHeader hdr;
  int32_t n;

  memcpy (pl, s->b + RIDGE_WIRE_HEADER_SIZE, plen);
  for (uint32_t k = wt_rand_range (4); k > 0; k--)
    mutate (pl, &plen, 0);
  hdr.version = RIDGE_WIRE_VERSION;
  hdr.flags = s->b[3];
  hdr.type = (uint16_t)(s->b[4] | s->b[5] << 8);
  hdr.seq = wt_rand ();
  hdr.length = (uint32_t)plen;
  n = ridge_wire_frame_write (out, cap, &hdr, pl);
  return n > 0 ? (size_t)n : 0;
}

static void
test_fuzz_corpus (void)
{
  static uint8_t work[WORK_MAX];
  const char *env = getenv ("RIDGE_WIRE_FUZZ_SECONDS");
  double seconds = env != NULL ? atof (env) : 3.0;
  double t0 = now_s ();
  unsigned long iterations = 0, bytes = 0;

  wt_seed (20261125);
  while (iterations < 200 || (now_s () - t0 < seconds && iterations < 10000000ul))
    {
      size_t len = 0;
      uint32_t mode = wt_rand_range (4);
      uint8_t *exact;

      if (mode == 0)
        {
          /* pure random bytes */
          len = wt_rand_range (600);
          for (size_t i = 0; i < len; i++)
            work[i] = (uint8_t)wt_rand ();
        }
      else
        {
          /* a stream of 1..6 frames, some with mutated payloads, then raw mutations */
          for (uint32_t k = 1 + wt_rand_range (6); k > 0 && len + 2048 < WORK_MAX; k--)
            {
              if (wt_rand_range (2) == 0)
                len += mutated_valid_frame (work + len, WORK_MAX - len);
              else
                {
                  const Seed *s = &seeds[wt_rand_range (N_SEEDS)];

                  memcpy (work + len, s->b, s->n);
                  len += s->n;
                }
            }
          if (mode == 2)
            for (uint32_t k = 1 + wt_rand_range (4); k > 0; k--)
              mutate (work, &len, 0);
        }

      exact = malloc (len > 0 ? len : 1);
      CHECK (exact != NULL);
      if (exact == NULL)
        return;
      memcpy (exact, work, len);
      wire_fuzz_stream (exact, len);
      free (exact);

      /* the message decoder directly: type + mutated payload of a seed */
      {
        const Seed *s = &seeds[wt_rand_range (N_SEEDS)];
        size_t plen = s->n - RIDGE_WIRE_OVERHEAD;

        work[0] = s->b[4];
        work[1] = s->b[5];
        memcpy (work + 2, s->b + RIDGE_WIRE_HEADER_SIZE, plen);
        plen += 2;
        for (uint32_t k = wt_rand_range (5); k > 0; k--)
          mutate (work, &plen, 2);
        exact = malloc (plen);
        CHECK (exact != NULL);
        if (exact == NULL)
          return;
        memcpy (exact, work, plen);
        wire_fuzz_msg (exact, plen);
        free (exact);
        bytes += len + plen;
      }
      iterations++;
    }
  printf ("# %lu fuzz iterations, %lu bytes, %.1f s\n", iterations, bytes, now_s () - t0);
}

int
main (void)
{
  wt_run ("fixed-seed fuzz corpus through every decoder", test_fuzz_corpus);
  return wt_done ();
}
