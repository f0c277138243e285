"""Class experiment: a teacher opens a room, students join with its code and train CartPole
with the settings the room leaves free, and every run arrives on the teacher's screen, live."""

import streamlit as st

from ui.common import show_problem
from ui.entry import run_through_app
from ui.rooms import student as room_student
from ui.rooms import teacher as room_teacher
from ui.rooms.state import ROOM_PARAM, store_problem

run_through_app(__file__)  # first: a join link on a fresh server runs through app.py
st.title("Class experiment")

problem = store_problem()
key = None if problem else room_teacher.teacher_key()
if problem:
    show_problem(problem)
elif key is not None:
    room_teacher.teacher_page(key)
else:
    teacher_note = st.session_state.get(room_teacher.NOTE_KEY)
    if teacher_note:
        show_problem(teacher_note)
    if room_student.joined() or ROOM_PARAM in st.query_params:
        room_student.student_page()
    else:
        st.markdown(
            "A class learns most about the learning rate when thirty students each try one "
            "and the room sees all thirty results at once. The teacher opens a room and "
            "projects its code; each student joins, picks the settings the room leaves free, "
            "and trains CartPole; every run appears on the teacher's screen as it trains."
        )
        student, teacher = st.columns(2, gap="large")
        with student:
            st.subheader("I'm a student")
            room_student.join_form()
        with teacher:
            st.subheader("I'm the teacher")
            room_teacher.open_form()
