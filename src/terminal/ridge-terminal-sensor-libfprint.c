/* ridge-terminal-sensor-libfprint.c — a USB reader on the terminal's host, via libfprint-2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libfprint has no live view: fp_device_capture() waits for a finger and returns one
 * image. So the sensor captures in a loop: each image counts as "a finger placed" for
 * FINGER_HOLD_MS, then the finger counts as lifted and the next capture starts.
 * The first device that can capture images is used.
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <fprint.h>

#include "ridge-terminal-private.h"

#define FINGER_HOLD_MS 1500

struct _RidgeFprintSensor {
  FpContext    *context;
  FpDevice     *device;
  GCancellable *cancellable;
  GBytes       *image;
  int           width;
  int           height;
  guint32       capture_id;
  guint         hold_id;
  guint         retry_id;
  gboolean      open;
};

static void start_capture (RidgeFprintSensor *fs);

static gboolean
on_retry (gpointer user_data)
{
  RidgeFprintSensor *fs = user_data;

  fs->retry_id = 0;
  start_capture (fs);
  return G_SOURCE_REMOVE;
}

static gboolean
on_hold_over (gpointer user_data)
{
  RidgeFprintSensor *fs = user_data;

  fs->hold_id = 0;
  g_clear_pointer (&fs->image, g_bytes_unref);
  start_capture (fs);
  return G_SOURCE_REMOVE;
}

static void
on_captured (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FpImage) image = fp_device_capture_finish (FP_DEVICE (source), result, &error);
  RidgeFprintSensor *fs;
  const guchar *data;
  gsize len = 0;
  int w, h;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  fs = user_data;
  if (image == NULL)
    {
      g_warning ("libfprint capture: %s", error->message);
      fs->retry_id = g_timeout_add (1000, on_retry, fs);
      return;
    }
  w = fp_image_get_width (image);
  h = fp_image_get_height (image);
  data = fp_image_get_data (image, &len);
  if (w < RIDGE_IMAGE_MIN_SIDE || h < RIDGE_IMAGE_MIN_SIDE || w > RIDGE_IMAGE_MAX_SIDE
      || h > RIDGE_IMAGE_MAX_SIDE || data == NULL || len < (gsize)w * h)
    {
      g_warning ("libfprint gave an unusable %d×%d image", w, h);
      fs->retry_id = g_timeout_add (1000, on_retry, fs);
      return;
    }
  g_clear_pointer (&fs->image, g_bytes_unref);
  fs->image = g_bytes_new (data, (gsize)w * h);
  fs->width = w;
  fs->height = h;
  fs->capture_id++;
  g_message ("libfprint: captured a %d×%d image", w, h);
  fs->hold_id = g_timeout_add (FINGER_HOLD_MS, on_hold_over, fs);
}

static void
start_capture (RidgeFprintSensor *fs)
{
  fp_device_capture (fs->device, TRUE, fs->cancellable, on_captured, fs);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  RidgeFprintSensor *fs;

  if (!fp_device_open_finish (FP_DEVICE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("libfprint: could not open %s: %s", fp_device_get_name (FP_DEVICE (source)),
                 error->message);
      return;
    }
  fs = user_data;
  fs->open = TRUE;
  start_capture (fs);
}

RidgeFprintSensor *
ridge_fprint_sensor_new (GError **error)
{
  RidgeFprintSensor *fs = g_new0 (RidgeFprintSensor, 1);
  GPtrArray *devices;

  fs->context = fp_context_new ();
  fs->cancellable = g_cancellable_new ();
  devices = fp_context_get_devices (fs->context);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      FpDevice *dev = g_ptr_array_index (devices, i);
      if (fp_device_has_feature (dev, FP_DEVICE_FEATURE_CAPTURE))
        {
          fs->device = g_object_ref (dev);
          break;
        }
    }
  if (fs->device == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "libfprint found no fingerprint reader that can capture images");
      ridge_fprint_sensor_free (fs);
      return NULL;
    }
  g_message ("libfprint: using %s (driver %s)", fp_device_get_name (fs->device),
             fp_device_get_driver (fs->device));
  fp_device_open (fs->device, fs->cancellable, on_opened, fs);
  return fs;
}

void
ridge_fprint_sensor_free (RidgeFprintSensor *fs)
{
  if (fs == NULL)
    return;
  g_cancellable_cancel (fs->cancellable);
  g_clear_handle_id (&fs->hold_id, g_source_remove);
  g_clear_handle_id (&fs->retry_id, g_source_remove);
  if (fs->device != NULL && fs->open)
    fp_device_close_sync (fs->device, NULL, NULL);
  g_clear_object (&fs->device);
  g_clear_object (&fs->context);
  g_clear_object (&fs->cancellable);
  g_clear_pointer (&fs->image, g_bytes_unref);
  g_free (fs);
}

const char *
ridge_fprint_sensor_name (RidgeFprintSensor *fs)
{
  return fp_device_get_name (fs->device);
}

GBytes *
ridge_fprint_sensor_get_image (RidgeFprintSensor *fs,
                               int               *width,
                               int               *height,
                               guint32           *capture_id)
{
  if (fs->image == NULL)
    return NULL;
  *width = fs->width;
  *height = fs->height;
  *capture_id = fs->capture_id;
  return g_bytes_ref (fs->image);
}
