#!/usr/bin/env bash
# scripts/gpu-bundle.sh -- build gpu/bundle/, what scripts/gpu-run.sh needs on
# a GPU machine that has the CUDA driver but no FFmpeg, GSL, cJSON, compiler
# use or package registry (`make gpu-bundle` runs this; the device run builds
# nothing). Everything is built here, on Debian bookworm:
#
#   ffmpeg      a minimal static FFmpeg 5.1 from Debian's source package
#               (libraries + the ffmpeg CLI): h264/mpeg4 decoders, the CUDA
#               hwaccel (NVDEC) and h264_cuvid, h264_nvenc, libx264 and
#               mpeg4 encoders, lavfi testsrc2, overlay/scale and their CUDA
#               versions (PTX compiled by clang, --enable-cuda-llvm, so no
#               nonfree part), mov/mp4, null. GPL (libx264).
#   forkcast    the whole CLI linked against that FFmpeg (FORKCAST_AV_STATIC:
#               calibrate/av_lazy.c binds directly, no dlopen of libav*),
#               GSL and cJSON (compiled from Debian's source) statically,
#               static cudart; kernels built for sm_75..sm_90 + PTX.
#   gpu_check   the kernels' device check (make gpu-check), static cudart.
#
# Only glibc (libc, libm, libmvec) and the NVIDIA driver's libraries
# (libcuda, libnvcuvid, libnvidia-encode, dlopen'ed at run time) are left to
# the machine. Output: gpu/bundle/forkcast-gpu.tar.gz (+ .sha256) and
# gpu/bundle/MANIFEST. Steps are skipped when their output exists; `rm -rf
# gpu/` starts over. Needs root for apt-get (installs build deps, enables
# deb-src for bookworm) unless they are already there.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
G=$ROOT/gpu
SRC=$G/src
PREFIX=$G/ffmpeg
OBJ=$G/build
STAGE=$G/stage
BUNDLE=$G/bundle
JOBS=${JOBS:-2}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
NVCC=${NVCC:-$CUDA_HOME/bin/nvcc}
FFVER=5.1
say() { printf 'gpu-bundle: %s\n' "$*" >&2; }
die() { printf 'gpu-bundle: %s\n' "$*" >&2; exit 1; }

[ -x "$NVCC" ] || die "nvcc not found at $NVCC (set CUDA_HOME)"
t_start=$(date +%s)

# ---- build dependencies (Debian packages) ---------------------------------
need=""
for p in dpkg-dev nasm clang libx264-dev libffmpeg-nvenc-dev zlib1g-dev libgsl-dev; do
  dpkg -s "$p" > /dev/null 2>&1 || need="$need $p"
done
if [ ! -f /etc/apt/sources.list.d/forkcast-deb-src.sources ] && ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  say "enabling deb-src for bookworm"
  cat > /etc/apt/sources.list.d/forkcast-deb-src.sources << 'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  need="$need (update)"
fi
if [ -n "$need" ]; then
  say "installing:$need"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    dpkg-dev nasm clang libx264-dev libffmpeg-nvenc-dev zlib1g-dev libgsl-dev > /dev/null
fi

# ---- sources ---------------------------------------------------------------
mkdir -p "$SRC"
if ! ls -d "$SRC"/ffmpeg-$FFVER.* > /dev/null 2>&1 || ! ls -d "$SRC"/cjson-* > /dev/null 2>&1; then
  say "apt-get source ffmpeg cjson"
  (cd "$SRC" && apt-get source -qq ffmpeg cjson > /dev/null 2>&1) || die "apt-get source ffmpeg cjson failed (deb-src enabled?)"
fi
FFSRC=$(ls -d "$SRC"/ffmpeg-$FFVER.* | tail -1)
CJSRC=$(ls -d "$SRC"/cjson-* | grep -v '\.' | tail -1 || true)
[ -n "$CJSRC" ] || CJSRC=$(ls -d "$SRC"/cjson-*/ | head -1)

# Static libraries preferred over shared ones: a directory holding only the .a.
mkdir -p "$G/staticlib"
for a in libx264.a libz.a libgsl.a libgslcblas.a; do
  ln -sf "/usr/lib/x86_64-linux-gnu/$a" "$G/staticlib/$a"
done

# ---- FFmpeg ----------------------------------------------------------------
if [ ! -f "$PREFIX/lib/libavcodec.a" ] || [ ! -x "$PREFIX/bin/ffmpeg" ]; then
  say "configuring FFmpeg ($(basename "$FFSRC"))"
  rm -rf "$OBJ/ffmpeg" && mkdir -p "$OBJ/ffmpeg"
  t0=$(date +%s)
  (cd "$OBJ/ffmpeg" && "$FFSRC/configure" --prefix="$PREFIX" \
    --enable-static --disable-shared --enable-gpl --disable-autodetect --disable-debug \
    --disable-doc --disable-programs --enable-ffmpeg --disable-network --disable-everything \
    --enable-pthreads --enable-zlib --enable-libx264 \
    --enable-ffnvcodec --enable-cuda --enable-cuvid --enable-nvdec --enable-nvenc \
    --enable-cuda-llvm --nvcc=clang --nvccflags='--cuda-gpu-arch=sm_75 -O2' \
    --enable-avdevice --enable-indev=lavfi \
    --enable-decoder=h264,mpeg4,hevc,rawvideo,wrapped_avframe \
    --enable-decoder=h264_cuvid,hevc_cuvid \
    --enable-hwaccel=h264_nvdec,hevc_nvdec,mpeg4_nvdec \
    --enable-encoder=libx264,h264_nvenc,hevc_nvenc,mpeg4,rawvideo,wrapped_avframe \
    --enable-parser=h264,hevc,mpeg4video \
    --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb \
    --enable-demuxer=mov,h264,hevc,avi,matroska,rawvideo \
    --enable-muxer=mp4,mov,h264,null,avi,matroska,rawvideo \
    --enable-protocol=file,pipe \
    --enable-filter=buffer,buffersink,format,scale,crop,overlay,testsrc2,color,null,nullsrc,split,trim,setpts,fps \
    --enable-filter=hwupload,hwupload_cuda,hwdownload,scale_cuda,overlay_cuda \
    --extra-cflags="-I/usr/include" --extra-ldflags="-L$G/staticlib" \
    --pkg-config-flags=--static > "$OBJ/ffmpeg-configure.log" 2>&1) ||
    die "FFmpeg configure failed: see $OBJ/ffmpeg/ffbuild/config.log"
  for c in CUDA_LLVM NVDEC NVENC H264_NVDEC_HWACCEL H264_NVENC_ENCODER LIBX264_ENCODER OVERLAY_CUDA_FILTER \
           SCALE_CUDA_FILTER TESTSRC2_FILTER LAVFI_INDEV; do
    cat "$OBJ/ffmpeg/config.h" "$OBJ/ffmpeg/config_components.h" | grep -q "^#define CONFIG_$c 1" ||
      die "FFmpeg configure did not enable $c (see $OBJ/ffmpeg/ffbuild/config.log)"
  done
  say "building FFmpeg (-j$JOBS)"
  make -C "$OBJ/ffmpeg" -j"$JOBS" > "$OBJ/ffmpeg-build.log" 2>&1 || die "FFmpeg build failed: see $OBJ/ffmpeg-build.log"
  make -C "$OBJ/ffmpeg" install > /dev/null 2>&1 || die "FFmpeg install failed"
  say "FFmpeg built in $(( $(date +%s) - t0 )) s"
fi

# ---- cJSON (static, from Debian's source) -----------------------------------
if [ ! -f "$OBJ/libcjson.a" ]; then
  mkdir -p "$OBJ/cjson/cjson"
  cp "$CJSRC/cJSON.h" "$OBJ/cjson/cjson/"
  cc -O2 -fPIC -c -o "$OBJ/cjson/cJSON.o" "$CJSRC/cJSON.c"
  ar rcs "$OBJ/libcjson.a" "$OBJ/cjson/cJSON.o"
fi

# ---- forkcast, statically bound to that FFmpeg ------------------------------
PCP="PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig"
AV_CFLAGS=$(env "$PCP" pkg-config --cflags libavformat libavcodec libavutil libswscale libavfilter)
AV_LIBS=$(env "$PCP" pkg-config --static --libs libavfilter libavformat libavcodec libswscale libavutil)
GPU_NVCCFLAGS="-O3 -std=c++17"
for a in 75 80 86 89 90; do GPU_NVCCFLAGS="$GPU_NVCCFLAGS -gencode arch=compute_$a,code=sm_$a"; done
GPU_NVCCFLAGS="$GPU_NVCCFLAGS -gencode arch=compute_90,code=compute_90"
STATIC_LIBS="-L$G/staticlib $AV_LIBS $OBJ/libcjson.a -l:libgsl.a -l:libgslcblas.a \
 -L$CUDA_HOME/lib64 -lcudart_static -ldl -lrt -lpthread -lmvec -lm -Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -static-libgcc"
say "building forkcast (static FFmpeg, GSL, cJSON, cudart)"
rm -f "$OBJ/fc/forkcast-bin" gpu/gpu_check # link flags are not dependencies: always relink
make --no-print-directory -j"$JOBS" BUILD="$OBJ/fc" CUDA=1 NVCC="$NVCC" CUDA_HOME="$CUDA_HOME" \
  NVCCFLAGS="$GPU_NVCCFLAGS" CFLAGS="-O2 -g -DFORKCAST_AV_STATIC" \
  PC_CFLAGS="-I$OBJ/cjson $AV_CFLAGS" BIN_LIBS="$STATIC_LIBS" LDFLAGS="" \
  "$OBJ/fc/forkcast-bin" > "$OBJ/forkcast-build.log" 2>&1 || die "forkcast build failed: see $OBJ/forkcast-build.log"
make --no-print-directory NVCC="$NVCC" CUDA_HOME="$CUDA_HOME" gpu/gpu_check > "$OBJ/gpu_check-build.log" 2>&1 ||
  die "gpu_check build failed: see $OBJ/gpu_check-build.log"

# ---- stage, check, pack -----------------------------------------------------
rm -rf "$STAGE" && mkdir -p "$STAGE/bin"
cp "$OBJ/fc/forkcast-bin" "$STAGE/bin/forkcast"
cp gpu/gpu_check "$STAGE/bin/gpu_check"
cp "$PREFIX/bin/ffmpeg" "$STAGE/bin/ffmpeg"
strip "$STAGE/bin/forkcast" "$STAGE/bin/gpu_check" "$STAGE/bin/ffmpeg"
for b in "$STAGE"/bin/*; do
  extra=$(ldd "$b" | awk '{print $1}' | grep -v -E '^(linux-vdso|/lib64/ld-linux|libc\.so|libm\.so|libmvec\.so|libdl\.so|libpthread\.so|librt\.so)' || true)
  [ -z "$extra" ] || die "$(basename "$b") still needs shared libraries: $(echo $extra)"
done
"$STAGE/bin/ffmpeg" -hide_banner -encoders 2> /dev/null | grep -q h264_nvenc || die "bundled ffmpeg lacks h264_nvenc"
"$STAGE/bin/ffmpeg" -hide_banner -hwaccels 2> /dev/null | grep -q cuda || die "bundled ffmpeg lacks the cuda hwaccel"
"$STAGE/bin/forkcast" calibrate pipeline --stage overlay --size 160x96 --frames 4 --backend cpu -o /dev/null > /dev/null 2>&1 ||
  die "bundled forkcast cannot run calibrate pipeline on the CPU"
{
  echo "forkcast GPU bundle, built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo "nvcc: $("$NVCC" --version | tail -1)"
  echo "ffmpeg: $(basename "$FFSRC") from Debian's source, static, GPL (libx264)"
  echo "ffmpeg filters: $("$STAGE/bin/ffmpeg" -hide_banner -filters 2> /dev/null | awk 'NR>8{print $2}' | tr '\n' ' ')"
  echo "ffmpeg encoders: $("$STAGE/bin/ffmpeg" -hide_banner -encoders 2> /dev/null | awk '/^ V/{print $2}' | tr '\n' ' ')"
  echo "ffmpeg hwaccels: $("$STAGE/bin/ffmpeg" -hide_banner -hwaccels 2> /dev/null | tail -n +2 | tr '\n' ' ')"
  for b in "$STAGE"/bin/*; do echo "$(basename "$b"): $(stat -c %s "$b") bytes"; done
} > "$STAGE/MANIFEST"
mkdir -p "$BUNDLE"
rm -f "$BUNDLE"/forkcast-gpu.tar.gz*
tar -C "$STAGE" -cf - bin MANIFEST | gzip -9 > "$BUNDLE/forkcast-gpu.tar.gz" # gzip: every machine can unpack it
(cd "$BUNDLE" && sha256sum forkcast-gpu.tar.gz > forkcast-gpu.tar.gz.sha256)
cp "$STAGE/MANIFEST" "$BUNDLE/MANIFEST"
sz=$(stat -c %s "$BUNDLE/forkcast-gpu.tar.gz")
say "gpu/bundle/forkcast-gpu.tar.gz: $((sz / 1048576)).$(( (sz % 1048576) * 10 / 1048576 )) MiB ($(du -sh "$STAGE/bin" | cut -f1) unpacked), $(( $(date +%s) - t_start )) s"
