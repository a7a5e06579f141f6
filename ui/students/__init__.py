"""Students at the desk: the students window (late arrivals, early dismissals, returns), the reunification
board, and the roster import; put into the desk window's Students menu by :func:`install_students`."""
