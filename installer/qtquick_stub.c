/*
 * Stand-ins for Qt Quick and QML (libQt6Quick.so.6, libQt6Qml.so.6) in the Linux bundle.
 *
 * The desk's camera (ui/scanning/camera_qt.py: QCamera, QMediaCaptureSession, QVideoSink; widgets, no QML)
 * needs QtMultimedia's FFmpeg plugin, and that plugin is linked against Qt Quick and QML: 15 MB, plus the
 * three QML libraries Qt Quick itself loads (QmlModels, QmlMeta, QmlWorkerScript). Of all that, the plugin
 * uses two symbols (checked with `nm -D --undefined-only` against both libraries' exports, PySide6 6.x):
 *   - QQuickWindow::grabWindow(), called only to capture a Qt Quick window (screen capture of a QML
 *     window, which the desk never asks for), and
 *   - QQuickWindow::staticMetaObject, which qobject_cast compares a window's class against;
 * and nothing at all from libQt6Qml (it is linked but not used). So these stubs give the dynamic linker what
 * the plugin names, under Qt's symbol version "Qt_6":
 *   - grabWindow traps (it cannot be reached from a widgets desk; if it ever were, the program stops at once
 *     instead of misbehaving),
 *   - staticMetaObject is a zeroed object no window's class chain contains: every qobject_cast to
 *     QQuickWindow answers "not one", which is the truth in a widgets desk;
 *   - libQt6Qml.so.6 is an empty library under its own name.
 *
 * Built by installer/frontdesk.spec after PyInstaller collected the real libraries, only when nothing else in
 * the bundle links them (the spec checks every ELF file's NEEDED entries first and keeps the real ones
 * otherwise):
 *   cc -shared -fPIC -nostdlib -O2 -DQT_QUICK_STUB -Wl,-soname,libQt6Quick.so.6 \
 *      -Wl,--version-script=qtquick_stub.map -o libQt6Quick.so.6 qtquick_stub.c
 *   cc -shared -fPIC -nostdlib -O2 -Wl,-soname,libQt6Qml.so.6 -o libQt6Qml.so.6 qtquick_stub.c
 * The self-test's window step proves the FFmpeg plugin still loads ("Qt has no multimedia backend" if not).
 */
#ifdef QT_QUICK_STUB
/* QMetaObject is 56 bytes on 64-bit Linux (its `d` struct: seven pointers); zero-filled. */
char _ZN12QQuickWindow16staticMetaObjectE[56] __attribute__((aligned(8)));

void _ZN12QQuickWindow10grabWindowEv(void) { __builtin_trap(); }
#else
/* libQt6Qml.so.6: nothing, under its name. */
static const char qt_qml_stub[] __attribute__((used)) = "FrontDesk: Qt QML is not in this bundle";
#endif
