"""Reading IDs in the window: the keyboard-wedge filter, serial scanner workers, the camera, the confirm panel."""
