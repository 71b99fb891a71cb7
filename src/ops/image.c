// SPDX-License-Identifier: Apache-2.0
/*
 * Image operations. Classification always calls the plugin's 7-parameter
 * classify function; detection, segmentation, pose and depth always call the
 * 5-parameter form registered for their op (one exact function type per op).
 */
#include "../internal.h"
#include <inttypes.h>

typedef int (*image_classify_fn)(struct vaccel_session *sess, const void *img,
				 unsigned char *out_text,
				 unsigned char *out_imgname, size_t len_img,
				 size_t len_out_text, size_t len_out_imgname);
/* detect, segment, pose, depth */
typedef int (*image_op_fn)(struct vaccel_session *sess, const void *img,
			   unsigned char *out_imgname, size_t len_img,
			   size_t len_out_imgname);

static struct vaccel_prof_region image_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_image_op");

__attribute__((destructor)) static void image_prof_fini(void)
{
	vaccel_prof_region_print(&image_op_stats);
	vaccel_prof_region_release(&image_op_stats);
}

VACCEL_API int vaccel_image_classification(struct vaccel_session *sess,
					   const void *img,
					   unsigned char *out_text,
					   unsigned char *out_imgname,
					   size_t len_img, size_t len_out_text,
					   size_t len_out_imgname)
{
	if (!sess) {
		vaccel_error("vaccel_image_classification: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": image_classify (image %zu bytes, "
		     "out_text %zu bytes, out_imgname %zu bytes)",
		     sess->id, len_img, len_out_text, len_out_imgname);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&image_op_stats);

	image_classify_fn fn = (image_classify_fn)session_op_func(
		sess, VACCEL_OP_IMAGE_CLASSIFY);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&image_op_stats);
		return op_unsupported(sess, VACCEL_OP_IMAGE_CLASSIFY);
	}

	int ret = fn(sess, img, out_text, out_imgname, len_img, len_out_text,
		     len_out_imgname);

	if (prof)
		vaccel_prof_region_stop(&image_op_stats);
	return ret;
}

static int image_op(vaccel_op_type_t type, const char *caller,
		    struct vaccel_session *sess, const void *img,
		    unsigned char *out_imgname, size_t len_img,
		    size_t len_out_imgname)
{
	char name[VACCEL_ENUM_STR_MAX];

	if (!sess) {
		vaccel_error("%s: session is NULL", caller);
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": %s (image %zu bytes, out_imgname "
		     "%zu bytes)",
		     sess->id, vaccel_op_type_name(type, name, sizeof(name)),
		     len_img, len_out_imgname);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&image_op_stats);

	image_op_fn fn = (image_op_fn)session_op_func(sess, type);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&image_op_stats);
		return op_unsupported(sess, type);
	}

	int ret = fn(sess, img, out_imgname, len_img, len_out_imgname);

	if (prof)
		vaccel_prof_region_stop(&image_op_stats);
	return ret;
}

VACCEL_API int vaccel_image_detection(struct vaccel_session *sess,
				      const void *img,
				      unsigned char *out_imgname,
				      size_t len_img, size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_DETECT, __func__, sess, img,
			out_imgname, len_img, len_out_imgname);
}

VACCEL_API int vaccel_image_segmentation(struct vaccel_session *sess,
					 const void *img,
					 unsigned char *out_imgname,
					 size_t len_img, size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_SEGMENT, __func__, sess, img,
			out_imgname, len_img, len_out_imgname);
}

VACCEL_API int vaccel_image_pose(struct vaccel_session *sess, const void *img,
				 unsigned char *out_imgname, size_t len_img,
				 size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_POSE, __func__, sess, img, out_imgname,
			len_img, len_out_imgname);
}

VACCEL_API int vaccel_image_depth(struct vaccel_session *sess, const void *img,
				  unsigned char *out_imgname, size_t len_img,
				  size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_DEPTH, __func__, sess, img, out_imgname,
			len_img, len_out_imgname);
}
