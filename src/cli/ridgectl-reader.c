/* ridgectl-reader.c — ridgectl on local libfprint readers: `readers`, and the commands of a
 * `--terminal reader:…` address (info, capture, enroll, list, delete, verify, identify,
 * export-print, import-print)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"
#include "ridge-fmr.h"
#include "ridge-fprint.h"

#include <stdlib.h>
#include <string.h>

/* The largest FMR record export-print writes: a header, then per enroll scan a view header,
 * its minutiae (6 bytes each) and an empty extended-data length. */
#define PRINT_FMR_MAX_BYTES (64 + RIDGE_ENROLL_MAX_SAMPLES * (4 + 6 * RIDGE_FMR_MAX_MINUTIAE + 2))

/* Default wait for a finger on a reader (libfprint itself waits for ever). */
#define FINGER_TIMEOUT_MS 30000

typedef struct {
  Ctl                *ctl;
  RidgeReaderManager *manager;
  RidgeReader        *reader;     /* owned */
  char               *address;    /* as given */
  GCancellable       *op;         /* one operation; cancelled by Ctrl-C or the finger timeout */
  gboolean            timed_out;
} Rd;

/* ---- fingers: Ridge numbers (ISO/IEC 19794-2) ↔ libfprint's FpFinger ------------------ */

static FpFinger
finger_to_fp (guint8 iso)
{
  if (iso >= 1 && iso <= 5)
    return FP_FINGER_RIGHT_THUMB + (iso - 1);
  if (iso >= 6 && iso <= 10)
    return FP_FINGER_LEFT_THUMB + (iso - 6);
  return FP_FINGER_UNKNOWN;
}

static guint8
finger_from_fp (FpFinger f)
{
  if (f >= FP_FINGER_RIGHT_THUMB && f <= FP_FINGER_RIGHT_LITTLE)
    return (guint8)(1 + f - FP_FINGER_RIGHT_THUMB);
  if (f >= FP_FINGER_LEFT_THUMB && f <= FP_FINGER_LEFT_LITTLE)
    return (guint8)(6 + f - FP_FINGER_LEFT_THUMB);
  return 0;
}

/* ---- errors --------------------------------------------------------------------------- */

/* A reader error as the core's RIDGE_ERROR code (for the exit code and the JSON code),
 * keeping the sentence. Local file errors and cancellation stay as they are. */
static int
rd_fail (Rd           *rd,
         const GError *error)
{
  g_autoptr (GError) mapped = NULL;
  int code = RIDGE_ERROR_FAILED;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && rd->timed_out)
    {
      g_autoptr (GError) e = g_error_new_literal (RIDGE_ERROR, RIDGE_ERROR_NO_FINGER,
                                                  "No finger was placed on the reader in time.");
      return ctl_fail (rd->ctl, e);
    }
  if (error->domain == G_FILE_ERROR || error->domain == RIDGE_IMAGE_ERROR
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return ctl_fail (rd->ctl, error);
  if (error->domain == FP_DEVICE_ERROR)
    {
      switch ((FpDeviceError)error->code)
        {
          case FP_DEVICE_ERROR_NOT_SUPPORTED: code = RIDGE_ERROR_UNSUPPORTED; break;
          case FP_DEVICE_ERROR_NOT_OPEN:
          case FP_DEVICE_ERROR_ALREADY_OPEN: code = RIDGE_ERROR_BAD_STATE; break;
          case FP_DEVICE_ERROR_BUSY: code = RIDGE_ERROR_BUSY; break;
          case FP_DEVICE_ERROR_PROTO: code = RIDGE_ERROR_PROTOCOL; break;
          case FP_DEVICE_ERROR_DATA_INVALID: code = RIDGE_ERROR_MALFORMED; break;
          case FP_DEVICE_ERROR_DATA_NOT_FOUND: code = RIDGE_ERROR_NOT_FOUND; break;
          case FP_DEVICE_ERROR_DATA_FULL: code = RIDGE_ERROR_STORE_FULL; break;
          case FP_DEVICE_ERROR_DATA_DUPLICATE: code = RIDGE_ERROR_DUPLICATE; break;
          case FP_DEVICE_ERROR_REMOVED: code = RIDGE_ERROR_CONNECTION_LOST; break;
          default: code = RIDGE_ERROR_FAILED; break;
        }
    }
  else if (error->domain == FP_DEVICE_RETRY)
    code = RIDGE_ERROR_LOW_QUALITY;
  else if (error->domain == RIDGE_FPRINT_ERROR)
    {
      switch ((RidgeFprintError)error->code)
        {
          case RIDGE_FPRINT_ERROR_BUSY: code = RIDGE_ERROR_BUSY; break;
          case RIDGE_FPRINT_ERROR_NOT_SUPPORTED: code = RIDGE_ERROR_UNSUPPORTED; break;
          case RIDGE_FPRINT_ERROR_BAD_IMAGE: code = RIDGE_ERROR_PROTOCOL; break;
          case RIDGE_FPRINT_ERROR_FORMAT: code = RIDGE_ERROR_MALFORMED; break;
          case RIDGE_FPRINT_ERROR_REMOVED: code = RIDGE_ERROR_CONNECTION_LOST; break;
          default: code = RIDGE_ERROR_FAILED; break;
        }
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    code = RIDGE_ERROR_NOT_FOUND;
  mapped = g_error_new_literal (RIDGE_ERROR, code, error->message);
  return ctl_fail (rd->ctl, mapped);
}

/* ---- waiting -------------------------------------------------------------------------- */

static gboolean
finger_timeout_cb (gpointer user_data)
{
  Rd *rd = user_data;

  rd->timed_out = TRUE;
  g_cancellable_cancel (rd->op);
  return G_SOURCE_REMOVE;
}

static void
ctl_cancelled_cb (GCancellable *ctl_cancellable,
                  Rd           *rd)
{
  g_cancellable_cancel (rd->op);
}

/* A fresh cancellable for one operation, cancelled by Ctrl-C and (when finger_ms > 0) after
 * finger_ms. Returns the timeout source id (0 for none). */
static guint
begin_wait (Rd *rd,
            int finger_ms)
{
  g_clear_object (&rd->op);
  rd->op = g_cancellable_new ();
  rd->timed_out = FALSE;
  if (g_cancellable_is_cancelled (rd->ctl->cancellable))
    g_cancellable_cancel (rd->op);
  return finger_ms > 0 ? g_timeout_add ((guint)finger_ms, finger_timeout_cb, rd) : 0;
}

static void
end_wait (Rd   *rd,
          guint id)
{
  if (id != 0 && !rd->timed_out)
    g_source_remove (id);
}

/* ---- readers -------------------------------------------------------------------------- */

static void
add_features (JsonBuilder *b,
              RidgeReader *reader)
{
  RidgeReaderFeatures f = ridge_reader_get_features (reader);

  J_BOOL (b, "capture", (f & RIDGE_READER_FEATURE_CAPTURE) != 0);
  J_BOOL (b, "match_on_chip", (f & RIDGE_READER_FEATURE_MATCH_ON_CHIP) != 0);
  J_BOOL (b, "storage", (f & RIDGE_READER_FEATURE_STORAGE) != 0);
  J_BOOL (b, "list", (f & RIDGE_READER_FEATURE_LIST) != 0);
  J_BOOL (b, "delete", (f & RIDGE_READER_FEATURE_DELETE) != 0);
  J_BOOL (b, "verify", (f & RIDGE_READER_FEATURE_VERIFY) != 0);
  J_BOOL (b, "identify", (f & RIDGE_READER_FEATURE_IDENTIFY) != 0);
  J_STR (b, "scan_type", ridge_reader_get_scan_type (reader));
  J_INT (b, "enroll_stages", ridge_reader_get_enroll_stages (reader));
}

static const char *
kind_text (RidgeReader *reader)
{
  return (ridge_reader_get_features (reader) & RIDGE_READER_FEATURE_CAPTURE)
         ? "image sensor" : "match on chip";
}

static int
cmd_readers (Ctl                *ctl,
             RidgeReaderManager *manager)
{
  GListModel *readers = ridge_reader_manager_get_readers (manager);
  guint n = g_list_model_get_n_items (readers);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "readers");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (RidgeReader) r = g_list_model_get_item (readers, i);
          g_autofree char *address = g_strdup_printf ("reader:%u", i);

          json_builder_begin_object (b);
          J_STR (b, "address", address);
          J_INT (b, "index", i);
          J_STR (b, "driver", ridge_reader_get_driver (r));
          J_STR (b, "name", ridge_reader_get_name (r));
          J_STR (b, "device_id", ridge_reader_get_device_id (r));
          add_features (b, r);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (n == 0)
    g_print ("No fingerprint reader found.\n");
  else
    for (guint i = 0; i < n; i++)
      {
        g_autoptr (RidgeReader) r = g_list_model_get_item (readers, i);

        g_print ("reader:%u  %-22s %s (%s, %s, %d scans to enroll%s)\n", i,
                 ridge_reader_get_driver (r), ridge_reader_get_name (r), kind_text (r),
                 ridge_reader_get_scan_type (r), ridge_reader_get_enroll_stages (r),
                 ridge_reader_keeps_prints (r) ? ", keeps prints" : "");
      }
  return n > 0 ? EXIT_OK : EXIT_NOT_FOUND;
}

/* reader: (the first), reader:N (index), reader:DRIVER or reader:DEVICE-ID. */
static RidgeReader *
find_reader (RidgeReaderManager *manager,
             const char         *address)
{
  GListModel *readers = ridge_reader_manager_get_readers (manager);
  guint n = g_list_model_get_n_items (readers);
  const char *key = address + strlen ("reader:");
  guint64 index;

  if (*key == '\0')
    return n > 0 ? g_list_model_get_item (readers, 0) : NULL;
  if (g_ascii_string_to_unsigned (key, 10, 0, G_MAXUINT, &index, NULL))
    return index < n ? g_list_model_get_item (readers, (guint)index) : NULL;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeReader) r = g_list_model_get_item (readers, i);

      if (g_strcmp0 (ridge_reader_get_driver (r), key) == 0
          || g_strcmp0 (ridge_reader_get_device_id (r), key) == 0)
        return g_steal_pointer (&r);
    }
  return NULL;
}

static gboolean
open_reader (Rd      *rd,
             GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_reader_open_async (rd->reader, rd->ctl->cancellable, ctl_store_result, &res);
  return ridge_reader_open_finish (rd->reader, ctl_wait (&res), error);
}

static void
close_reader (Rd *rd)
{
  g_autoptr (GAsyncResult) res = NULL;
  RidgeReaderState st = ridge_reader_get_state (rd->reader);

  if (st != RIDGE_READER_STATE_IDLE && st != RIDGE_READER_STATE_REMOVED)
    return;
  ridge_reader_close_async (rd->reader, NULL, ctl_store_result, &res);
  ridge_reader_close_finish (rd->reader, ctl_wait (&res), NULL);
}

/* ---- prints ----------------------------------------------------------------------------- */

/* The prints the reader matches against: on the chip, or in the local folder. */
static GPtrArray *
enrolled_prints (Rd      *rd,
                 GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  if (!ridge_reader_keeps_prints (rd->reader))
    return ridge_reader_load_local_prints (rd->reader, error);
  GPtrArray *prints;

  ridge_reader_list_prints_async (rd->reader, rd->ctl->cancellable, ctl_store_result, &res);
  prints = ridge_reader_list_prints_finish (rd->reader, ctl_wait (&res), error);
  if (prints != NULL)
    ridge_reader_adopt_local_prints (rd->reader, prints);   /* user and finger */
  return prints;
}

static void
add_print (JsonBuilder *b,
           FpPrint     *print,
           gboolean     on_chip)
{
  g_autofree char *id = ridge_fprint_print_id (print, NULL);
  const GDate *date = fp_print_get_enroll_date (print);
  guint8 finger = finger_from_fp (fp_print_get_finger (print));

  json_builder_begin_object (b);
  J_STR (b, "id", id);
  J_STR (b, "user", fp_print_get_username (print));
  J_INT (b, "finger", finger);
  J_STR (b, "finger_name", ctl_finger_name (finger));
  J_STR (b, "description", fp_print_get_description (print));
  json_builder_set_member_name (b, "enroll_date");
  if (date != NULL && g_date_valid (date))
    {
      char text[16];

      g_date_strftime (text, sizeof text, "%Y-%m-%d", date);
      json_builder_add_string_value (b, text);
    }
  else
    json_builder_add_null_value (b);
  J_STR (b, "stored", on_chip ? "reader" : "local");
  json_builder_end_object (b);
}

static void
print_line (FpPrint *print)
{
  g_autofree char *id = ridge_fprint_print_id (print, NULL);
  const GDate *date = fp_print_get_enroll_date (print);
  char text[16] = "—";

  if (date != NULL && g_date_valid (date))
    g_date_strftime (text, sizeof text, "%Y-%m-%d", date);
  g_print ("%s  %-16s %-13s %s\n", id ? id : "?",
           fp_print_get_username (print) ? fp_print_get_username (print) : "—",
           ctl_finger_name (finger_from_fp (fp_print_get_finger (print))), text);
}

/* ---- commands ------------------------------------------------------------------------- */

static int
cmd_info (Rd *rd)
{
  RidgeReader *r = rd->reader;

  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "reader", rd->address);
      J_STR (b, "driver", ridge_reader_get_driver (r));
      J_STR (b, "name", ridge_reader_get_name (r));
      J_STR (b, "device_id", ridge_reader_get_device_id (r));
      add_features (b, r);
      J_STR (b, "prints", ridge_reader_keeps_prints (r) ? "reader" : "local");
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *dir = ridge_reader_dup_local_dir (r);

      g_print ("Reader:   %s\nDriver:   %s\nDevice:   %s\nKind:     %s, %s\n"
               "Enroll:   %d scans\nPrints:   %s\n",
               ridge_reader_get_name (r), ridge_reader_get_driver (r),
               ridge_reader_get_device_id (r), kind_text (r), ridge_reader_get_scan_type (r),
               ridge_reader_get_enroll_stages (r),
               ridge_reader_keeps_prints (r) ? "kept on the reader" : dir);
    }
  return EXIT_OK;
}

static int
cmd_capture (Rd    *rd,
             int    argc,
             char **argv)
{
  char *output = NULL;
  int finger_timeout = FINGER_TIMEOUT_MS;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Image file (.png, else PGM)", "FILE" },
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autofree char *out = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (RidgeReaderCapture) cap = NULL;
  g_autoptr (GError) error = NULL;
  RidgeFeatures *features = NULL;
  const RidgeExtractOptions options = { 0 };
  int quality = -1, n_minutiae = -1;
  guint timer;

  if (!ctl_parse_options (rd->ctl, "-o FILE", NULL, entries, &argc, &argv))
    return EXIT_USAGE;
  out = output;
  if (out == NULL || argc != 1)
    return ctl_usage (rd->ctl, "capture needs -o FILE.png|FILE.pgm");
  if (finger_timeout < 0)
    return ctl_usage (rd->ctl, "--finger-timeout must be ≥ 0");
  if (!(ridge_reader_get_features (rd->reader) & RIDGE_READER_FEATURE_CAPTURE))
    {
      g_autoptr (GError) e = g_error_new (RIDGE_ERROR, RIDGE_ERROR_UNSUPPORTED,
                                          "%s matches on the chip and gives no images.",
                                          ridge_reader_get_name (rd->reader));
      return ctl_fail (rd->ctl, e);
    }
  g_printerr ("Place a finger on the reader…\n");
  timer = begin_wait (rd, finger_timeout);
  ridge_reader_capture_async (rd->reader, rd->op, ctl_store_result, &res);
  cap = ridge_reader_capture_finish (rd->reader, ctl_wait (&res), &error);
  end_wait (rd, timer);
  if (cap == NULL)
    return rd_fail (rd, error);
  if (!ridge_image_save (out, cap->image.pixels, (guint)cap->image.width,
                         (guint)cap->image.height, RIDGE_IMAGE_FORMAT_AUTO, &error))
    return ctl_fail (rd->ctl, error);
  /* the engine on the reader's own pixels */
  if (ridge_extract (&cap->image, &options, &features) == RIDGE_ENGINE_OK)
    {
      quality = ridge_features_quality (features);
      n_minutiae = ridge_features_n_minutiae (features);
      ridge_features_free (features);
    }
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "file", out);
      J_INT (b, "width", cap->image.width);
      J_INT (b, "height", cap->image.height);
      J_INT (b, "dpi", cap->image.dpi);
      json_builder_set_member_name (b, "quality");
      if (quality >= 0)
        json_builder_add_int_value (b, quality);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "minutiae");
      if (n_minutiae >= 0)
        json_builder_add_int_value (b, n_minutiae);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (quality >= 0)
    g_print ("Saved %s: %d×%d at %d dpi, quality %d, %d minutiae\n", out, cap->image.width,
             cap->image.height, cap->image.dpi, quality, n_minutiae);
  else
    g_print ("Saved %s: %d×%d at %d dpi (no fingerprint found by the engine)\n", out,
             cap->image.width, cap->image.height, cap->image.dpi);
  return EXIT_OK;
}

static void
enroll_progress_cb (RidgeReader *reader,
                    int          stage,
                    int          n_stages,
                    const char  *retry,
                    Rd          *rd)
{
  /* on stderr also with --json (stdout holds only the JSON object) */
  if (retry != NULL)
    g_printerr ("  %s\n", retry);
  else
    g_printerr ("  sample %d of %d accepted\n", stage, n_stages);
}

static int
cmd_enroll (Rd    *rd,
            int    argc,
            char **argv)
{
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout,
      "Give up after this long (default: no limit)", "MS" },
    { NULL }
  };
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FpPrint) print = NULL;
  guint8 finger;
  gulong handler;
  guint timer;

  if (!ctl_parse_options (rd->ctl, "USER FINGER", NULL, entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 3)
    return ctl_usage (rd->ctl, "enroll needs USER FINGER");
  if (!ctl_parse_finger (argv[2], &finger))
    return ctl_usage (rd->ctl, "“%s” is not a finger", argv[2]);
  if (*argv[1] == '\0' || strlen (argv[1]) > 255)
    return ctl_usage (rd->ctl, "USER must be 1 to 255 bytes");
  if (finger_timeout < 0)
    return ctl_usage (rd->ctl, "--finger-timeout must be ≥ 0");
  g_printerr ("Place the finger on the reader %d times…\n",
              ridge_reader_get_enroll_stages (rd->reader));
  handler = g_signal_connect (rd->reader, "enroll-progress", G_CALLBACK (enroll_progress_cb), rd);
  timer = begin_wait (rd, finger_timeout);
  ridge_reader_enroll_async (rd->reader, finger_to_fp (finger), argv[1], rd->op,
                             ctl_store_result, &res);
  print = ridge_reader_enroll_finish (rd->reader, ctl_wait (&res), &error);
  end_wait (rd, timer);
  g_signal_handler_disconnect (rd->reader, handler);
  if (print == NULL)
    return rd_fail (rd, error);
  /* kept locally for image sensors; for a chip, a copy with the user and finger its list
   * may not give */
  if (!ridge_reader_store_local_print (rd->reader, print, &error))
    {
      if (!ridge_reader_keeps_prints (rd->reader))
        return ctl_fail (rd->ctl, error);
      g_printerr ("ridgectl: the print is on the reader, but its local copy failed: %s\n",
                  error->message);
      g_clear_error (&error);
    }
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "print");
      add_print (b, print, ridge_reader_keeps_prints (rd->reader));
      J_INT (b, "samples", ridge_reader_get_enroll_stages (rd->reader));
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_print ("Enrolled:\n");
      print_line (print);
    }
  return EXIT_OK;
}

static int
cmd_list (Rd    *rd,
          int    argc,
          char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;

  if (!ctl_parse_options (rd->ctl, NULL, NULL, NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    return ctl_usage (rd->ctl, "list takes no arguments");
  prints = enrolled_prints (rd, &error);
  if (prints == NULL)
    return rd_fail (rd, error);
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "total", prints->len);
      J_STR (b, "stored", ridge_reader_keeps_prints (rd->reader) ? "reader" : "local");
      json_builder_set_member_name (b, "prints");
      json_builder_begin_array (b);
      for (guint i = 0; i < prints->len; i++)
        add_print (b, g_ptr_array_index (prints, i), ridge_reader_keeps_prints (rd->reader));
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (prints->len == 0)
    g_print ("No prints enrolled.\n");
  else
    for (guint i = 0; i < prints->len; i++)
      print_line (g_ptr_array_index (prints, i));
  return EXIT_OK;
}

/* The enrolled print with this id, or the one of --user/--finger. */
static FpPrint *
find_print (GPtrArray  *prints,
            const char *id,
            const char *user,
            int         finger)
{
  for (guint i = 0; i < prints->len; i++)
    {
      FpPrint *p = g_ptr_array_index (prints, i);

      if (id != NULL)
        {
          g_autofree char *pid = ridge_fprint_print_id (p, NULL);

          if (g_strcmp0 (pid, id) == 0)
            return p;
        }
      else if (g_strcmp0 (fp_print_get_username (p), user) == 0
               && (finger < 0 || finger_from_fp (fp_print_get_finger (p)) == finger))
        return p;
    }
  return NULL;
}

static int
not_found (Rd         *rd,
           const char *what)
{
  g_autoptr (GError) e = g_error_new (RIDGE_ERROR, RIDGE_ERROR_NOT_FOUND,
                                      "No enrolled print %s on %s.", what, rd->address);

  return ctl_fail (rd->ctl, e);
}

static int
cmd_delete (Rd    *rd,
            int    argc,
            char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autofree char *what = NULL;
  FpPrint *print;

  if (!ctl_parse_options (rd->ctl, "ID", NULL, NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return ctl_usage (rd->ctl, "delete needs a print ID (see “list”)");
  if (!ridge_reader_keeps_prints (rd->reader))
    {
      if (!ridge_reader_delete_local_print (rd->reader, argv[1], &error))
        return rd_fail (rd, error);
    }
  else
    {
      prints = enrolled_prints (rd, &error);
      if (prints == NULL)
        return rd_fail (rd, error);
      print = find_print (prints, argv[1], NULL, -1);
      what = g_strdup_printf ("“%s”", argv[1]);
      if (print == NULL)
        return not_found (rd, what);
      ridge_reader_delete_print_async (rd->reader, print, rd->ctl->cancellable,
                                       ctl_store_result, &res);
      if (!ridge_reader_delete_print_finish (rd->reader, ctl_wait (&res), &error))
        return rd_fail (rd, error);
      /* and its local copy, if it was enrolled here */
      if (!ridge_reader_delete_local_print (rd->reader, argv[1], &error)
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return ctl_fail (rd->ctl, error);
    }
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "deleted", argv[1]);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("Deleted %s\n", argv[1]);
  return EXIT_OK;
}

static void
retry_cb (RidgeReader *reader,
          const char  *sentence,
          Rd          *rd)
{
  g_printerr ("  %s\n", sentence);
}

static int
report_match (Rd      *rd,
              FpPrint *match)
{
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_BOOL (b, "matched", match != NULL);
      json_builder_set_member_name (b, "print");
      if (match != NULL)
        add_print (b, match, ridge_reader_keeps_prints (rd->reader));
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (match != NULL)
    {
      g_print ("Match:\n");
      print_line (match);
    }
  else
    g_print ("No match\n");
  return match != NULL ? EXIT_OK : EXIT_NOT_FOUND;
}

static int
cmd_verify (Rd    *rd,
            int    argc,
            char **argv)
{
  char *user = NULL, *finger_text = NULL;
  int finger_timeout = FINGER_TIMEOUT_MS;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "Verify against this user's print", "U" },
    { "finger", 'f', 0, G_OPTION_ARG_STRING, &finger_text, "… of this finger", "F" },
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autofree char *u = NULL;
  g_autofree char *f = NULL;
  g_autofree char *what = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  FpPrint *print;
  guint8 finger = 0;
  gboolean matched = FALSE;
  gulong handler;
  guint timer;

  if (!ctl_parse_options (rd->ctl, "(ID | --user U [--finger F])", NULL, entries, &argc, &argv))
    return EXIT_USAGE;
  u = user;
  f = finger_text;
  if ((argc == 2) == (u != NULL) || argc > 2)
    return ctl_usage (rd->ctl, "verify needs either a print ID or --user U");
  if (f != NULL && !ctl_parse_finger (f, &finger))
    return ctl_usage (rd->ctl, "“%s” is not a finger", f);
  if (finger_timeout < 0)
    return ctl_usage (rd->ctl, "--finger-timeout must be ≥ 0");
  prints = enrolled_prints (rd, &error);
  if (prints == NULL)
    return rd_fail (rd, error);
  print = find_print (prints, argc == 2 ? argv[1] : NULL, u, f != NULL ? finger : -1);
  if (print == NULL)
    {
      what = argc == 2 ? g_strdup_printf ("“%s”", argv[1])
             : g_strdup_printf ("of %s%s%s", u, f ? ", " : "", f ? ctl_finger_name (finger) : "");
      return not_found (rd, what);
    }
  g_printerr ("Place the finger on the reader…\n");
  handler = g_signal_connect (rd->reader, "retry", G_CALLBACK (retry_cb), rd);
  timer = begin_wait (rd, finger_timeout);
  ridge_reader_verify_async (rd->reader, print, rd->op, ctl_store_result, &res);
  if (!ridge_reader_verify_finish (rd->reader, ctl_wait (&res), &matched, &error))
    {
      end_wait (rd, timer);
      g_signal_handler_disconnect (rd->reader, handler);
      return rd_fail (rd, error);
    }
  end_wait (rd, timer);
  g_signal_handler_disconnect (rd->reader, handler);
  return report_match (rd, matched ? print : NULL);
}

static int
cmd_identify (Rd    *rd,
              int    argc,
              char **argv)
{
  int finger_timeout = FINGER_TIMEOUT_MS;
  GOptionEntry entries[] = {
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (FpPrint) match = NULL;
  gulong handler;
  guint timer;
  gboolean ok;

  if (!ctl_parse_options (rd->ctl, NULL, NULL, entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    return ctl_usage (rd->ctl, "identify takes no arguments");
  if (finger_timeout < 0)
    return ctl_usage (rd->ctl, "--finger-timeout must be ≥ 0");
  prints = enrolled_prints (rd, &error);
  if (prints == NULL)
    return rd_fail (rd, error);
  if (prints->len == 0)
    return not_found (rd, "to identify against");
  g_printerr ("Place a finger on the reader…\n");
  handler = g_signal_connect (rd->reader, "retry", G_CALLBACK (retry_cb), rd);
  timer = begin_wait (rd, finger_timeout);
  ridge_reader_identify_async (rd->reader, prints, rd->op, ctl_store_result, &res);
  ok = ridge_reader_identify_finish (rd->reader, ctl_wait (&res), &match, &error);
  end_wait (rd, timer);
  g_signal_handler_disconnect (rd->reader, handler);
  if (!ok)
    return rd_fail (rd, error);
  return report_match (rd, match);
}

/* export-print ID FILE [--format fp3|iso|ansi] [--size WxH] [--dpi N]: the libfprint print
 * as it is (fp3, fp_print_serialize) or, for an image sensor's print, its NBIS minutiae as
 * an ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004 record with one view per enroll scan.
 * libfprint keeps no image size, so the standard formats need the size the print was made
 * from (what `capture` reports for this reader). */
static int
cmd_export_print (Rd    *rd,
                  int    argc,
                  char **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *size = NULL;
  int dpi = 500;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "fp3 (default), iso or ansi", "F" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Image size the print was made from (iso/ansi)",
      "WxH" },
    { "dpi", 0, 0, G_OPTION_ARG_INT, &dpi, "Image resolution (iso/ansi; default 500)", "N" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autofree char *what = NULL;
  g_autofree RidgeEnrollTemplate *enroll = NULL;
  g_autofree guint8 *buf = NULL;
  RidgeFmrFormat fmr_format = RIDGE_FMR_FORMAT_ISO;
  gboolean standard;
  guint64 w = 0, h = 0;
  size_t len = 0;
  FpPrint *print;
  int r;

  if (!ctl_parse_options (rd->ctl, "ID FILE", NULL, entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 3)
    return ctl_usage (rd->ctl, "export-print needs a print ID (see “list”) and a FILE");
  if (format == NULL || g_str_equal (format, "fp3"))
    standard = FALSE;
  else if (g_str_equal (format, "iso") || g_str_equal (format, "ansi"))
    {
      g_auto (GStrv) wh = size ? g_strsplit (size, "x", 2) : NULL;

      standard = TRUE;
      fmr_format = g_str_equal (format, "iso") ? RIDGE_FMR_FORMAT_ISO : RIDGE_FMR_FORMAT_ANSI;
      if (wh == NULL || g_strv_length (wh) != 2
          || !g_ascii_string_to_unsigned (wh[0], 10, 1, 65535, &w, NULL)
          || !g_ascii_string_to_unsigned (wh[1], 10, 1, 65535, &h, NULL))
        return ctl_usage (rd->ctl, "--format %s needs --size WxH: the image size the print "
                                   "was made from (see “capture”)", format);
      if (dpi < 100 || dpi > 2000)
        return ctl_usage (rd->ctl, "--dpi must be 100 to 2000");
    }
  else
    return ctl_usage (rd->ctl, "--format is fp3, iso or ansi, not “%s”", format);

  prints = enrolled_prints (rd, &error);
  if (prints == NULL)
    return rd_fail (rd, error);
  print = find_print (prints, argv[1], NULL, -1);
  what = g_strdup_printf ("“%s”", argv[1]);
  if (print == NULL)
    return not_found (rd, what);

  if (!standard)
    {
      if (!ridge_fprint_print_save (print, argv[2], &error))
        return ctl_fail (rd->ctl, error);
    }
  else
    {
      RidgeFmrViewInfo info = { 0 };

      enroll = g_new0 (RidgeEnrollTemplate, 1);
      enroll->n_samples = ridge_fprint_print_to_templates (print, (int)w, (int)h, dpi,
                                                           enroll->samples,
                                                           RIDGE_ENROLL_MAX_SAMPLES, &error);
      if (enroll->n_samples < 0)
        return rd_fail (rd, error);
      if (enroll->n_samples == 0)
        {
          g_autoptr (GError) e = g_error_new (RIDGE_ERROR, RIDGE_ERROR_UNSUPPORTED,
                                              "Print %s holds no minutiae to export.", argv[1]);
          return ctl_fail (rd->ctl, e);
        }
      info.finger_position = finger_from_fp (fp_print_get_finger (print));
      info.impression_type = 0;   /* live-scan plain */
      buf = g_malloc (PRINT_FMR_MAX_BYTES);
      r = ridge_fmr_encode_enroll (enroll, fmr_format, &info, buf, PRINT_FMR_MAX_BYTES, &len);
      if (r != RIDGE_FMR_OK)
        {
          g_autoptr (GError) e = g_error_new (RIDGE_ERROR, RIDGE_ERROR_MALFORMED,
                                              "Print %s cannot be written as %s: %s", argv[1],
                                              format, ridge_fmr_strerror (r));
          return ctl_fail (rd->ctl, e);
        }
      if (!g_file_set_contents_full (argv[2], (const char *)buf, (gssize)len,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        return ctl_fail (rd->ctl, error);
    }
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "exported", argv[1]);
      J_STR (b, "file", argv[2]);
      J_STR (b, "format", format ? format : "fp3");
      if (standard)
        J_INT (b, "views", enroll->n_samples);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (standard)
    g_print ("Exported %s to %s (%s, %d views)\n", argv[1], argv[2], format, enroll->n_samples);
  else
    g_print ("Exported %s to %s\n", argv[1], argv[2]);
  return EXIT_OK;
}

/* import-print FILE: a print file (from export-print, or any libfprint print of this
 * reader's driver and device) into the reader's local prints. A match-on-chip reader keeps
 * its prints on the chip, and libfprint cannot write one there. */
static int
cmd_import_print (Rd    *rd,
                  int    argc,
                  char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autoptr (FpPrint) print = NULL;
  g_autofree char *id = NULL;

  if (!ctl_parse_options (rd->ctl, "FILE", NULL, NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return ctl_usage (rd->ctl, "import-print needs a print FILE");
  if (ridge_reader_keeps_prints (rd->reader))
    {
      g_autoptr (GError) e = g_error_new (RIDGE_ERROR, RIDGE_ERROR_UNSUPPORTED,
                                          "%s keeps its prints on the chip; libfprint cannot "
                                          "write a print to it (enroll the finger instead).",
                                          ridge_reader_get_name (rd->reader));
      return ctl_fail (rd->ctl, e);
    }
  print = ridge_fprint_print_load (argv[1], &error);
  if (print == NULL)
    return rd_fail (rd, error);
  if (!fp_print_compatible (print, ridge_reader_get_device (rd->reader)))
    {
      g_autoptr (GError) e =
        g_error_new (RIDGE_ERROR, RIDGE_ERROR_UNSUPPORTED,
                     "%s was made by another reader (driver %s, device %s), not by %s.",
                     argv[1], fp_print_get_driver (print), fp_print_get_device_id (print),
                     ridge_reader_get_name (rd->reader));
      return ctl_fail (rd->ctl, e);
    }
  id = ridge_fprint_print_id (print, &error);
  if (id == NULL)
    return rd_fail (rd, error);
  prints = enrolled_prints (rd, &error);
  if (prints == NULL)
    return rd_fail (rd, error);
  if (find_print (prints, id, NULL, -1) != NULL)
    {
      g_autoptr (GError) e = g_error_new (RIDGE_ERROR, RIDGE_ERROR_DUPLICATE,
                                          "Print %s is already enrolled on %s.", id,
                                          rd->address);
      return ctl_fail (rd->ctl, e);
    }
  if (!ridge_reader_store_local_print (rd->reader, print, &error))
    return ctl_fail (rd->ctl, error);
  if (rd->ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "print");
      add_print (b, print, FALSE);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_print ("Imported:\n");
      print_line (print);
    }
  return EXIT_OK;
}

/* ---- entry ---------------------------------------------------------------------------- */

int
ctl_reader_main (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  static const char *const reader_commands[] = {
    "info", "capture", "enroll", "list", "delete", "verify", "identify", "export-print",
    "import-print", NULL
  };
  g_autoptr (RidgeReaderManager) manager = NULL;
  g_autoptr (GError) error = NULL;
  Rd rd = { ctl };
  gulong cancel_handler;
  int rc;

  if (ctl->trace)
    return ctl_usage (ctl, "trace is for terminals; a reader has no protocol trace");
  if (!g_str_equal (argv[0], "readers")
      && !g_strv_contains (reader_commands, argv[0]))
    return ctl_usage (ctl, "“%s” is not a reader command (readers: %s)", argv[0],
                      "info, capture, enroll, list, delete, verify, identify, export-print, "
                      "import-print");

  manager = ridge_reader_manager_new ();
  if (g_str_equal (argv[0], "readers"))
    return cmd_readers (ctl, manager);

  rd.manager = manager;
  rd.address = ctl->terminal;
  rd.reader = find_reader (manager, ctl->terminal);
  if (rd.reader == NULL)
    {
      g_autoptr (GError) e =
        g_error_new (RIDGE_ERROR, RIDGE_ERROR_UNREACHABLE,
                     "%s: no such fingerprint reader (%u found; see “ridgectl readers”)",
                     ctl->terminal, ridge_reader_manager_get_n_readers (manager));
      return ctl_fail (ctl, e);
    }
  if (g_str_equal (argv[0], "info"))
    {
      rc = cmd_info (&rd);
      g_clear_object (&rd.reader);
      return rc;
    }
  if (!open_reader (&rd, &error))
    {
      rc = rd_fail (&rd, error);
      g_clear_object (&rd.reader);
      return rc;
    }
  cancel_handler = g_cancellable_connect (ctl->cancellable, G_CALLBACK (ctl_cancelled_cb),
                                          &rd, NULL);
  if (g_str_equal (argv[0], "capture"))
    rc = cmd_capture (&rd, argc, argv);
  else if (g_str_equal (argv[0], "enroll"))
    rc = cmd_enroll (&rd, argc, argv);
  else if (g_str_equal (argv[0], "list"))
    rc = cmd_list (&rd, argc, argv);
  else if (g_str_equal (argv[0], "delete"))
    rc = cmd_delete (&rd, argc, argv);
  else if (g_str_equal (argv[0], "verify"))
    rc = cmd_verify (&rd, argc, argv);
  else if (g_str_equal (argv[0], "export-print"))
    rc = cmd_export_print (&rd, argc, argv);
  else if (g_str_equal (argv[0], "import-print"))
    rc = cmd_import_print (&rd, argc, argv);
  else
    rc = cmd_identify (&rd, argc, argv);
  g_cancellable_disconnect (ctl->cancellable, cancel_handler);
  close_reader (&rd);
  g_clear_object (&rd.op);
  g_clear_object (&rd.reader);
  return rc;
}
