# The committed demo video (docs/demo.webm, made by make demo-video) and
# its captions: length, streams, frames at given times, cues (ffprobe).
add_project_test(NAME demo_video
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/check-demo-video.sh
          ${PROJECT_SOURCE_DIR}/docs/demo.webm ${PROJECT_SOURCE_DIR}/docs/demo.vtt
  LABELS unit TIMEOUT 120)
