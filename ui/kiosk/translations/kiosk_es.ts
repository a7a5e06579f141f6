<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../kiosk_window.py" line="309"/>
        <source>We could not read that. Please try again, or find your name.</source>
        <translation>No pudimos leerlo. Inténtelo de nuevo o busque su nombre.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="312"/>
        <source>Goodbye!</source>
        <translation>¡Adiós!</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="312"/>
        <source>You are checked out. Thank you for visiting.</source>
        <translation>Su salida quedó registrada. Gracias por su visita.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="332"/>
        <source>No match. Please see the front office.</source>
        <translation>No hay coincidencias. Por favor, pase a la oficina principal.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="361"/>
        <source>Hello, %1!</source>
        <translation>¡Hola, %1!</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="367"/>
        <source>What are you helping with today?</source>
        <translation>¿En qué va a ayudar hoy?</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="378"/>
        <source>Check in to see %1?</source>
        <translation>¿Registrar su entrada para ver a %1?</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="378"/>
        <source>Check in now?</source>
        <translation>¿Registrar su entrada ahora?</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="380"/>
        <source>Check in</source>
        <translation>Registrar entrada</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="400"/>
        <source>Welcome, %1!</source>
        <translation>¡Bienvenido/a, %1!</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="401"/>
        <source>You are checked in. Please take your badge and wear it where it can be seen.</source>
        <translation>Su entrada quedó registrada. Tome su gafete y llévelo a la vista.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="405"/>
        <source>Please see the front office.</source>
        <translation>Por favor, pase a la oficina principal.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="428"/>
        <source>Wrong name or PIN.</source>
        <translation>Nombre o PIN incorrecto.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="157"/>
        <source>Welcome</source>
        <translation>Bienvenidos</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="162"/>
        <source>Scan your ID, your badge or your guest code.</source>
        <translation>Escanee su identificación, su gafete o su código de invitado.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="167"/>
        <source>Or type your guest code here</source>
        <translation>O escriba aquí su código de invitado</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="169"/>
        <source>Guest code</source>
        <translation>Código de invitado</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="176"/>
        <source>Find my name</source>
        <translation>Buscar mi nombre</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="182"/>
        <source>Leaving? Scan your badge.</source>
        <translation>¿Se va? Escanee su gafete.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="186"/>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="195"/>
        <source>Type the first letters of your last name</source>
        <translation>Escriba las primeras letras de su apellido</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="199"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="208"/>
        <location filename="../kiosk_window.py" line="221"/>
        <location filename="../kiosk_window.py" line="254"/>
        <source>Back</source>
        <translation>Volver</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="232"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="238"/>
        <source>Staff: sign in to leave kiosk mode</source>
        <translation>Personal: inicie sesión para salir del modo quiosco</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="241"/>
        <location filename="../kiosk_window.py" line="242"/>
        <source>Staff name</source>
        <translation>Nombre del personal</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="245"/>
        <location filename="../kiosk_window.py" line="246"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="252"/>
        <source>Leave kiosk mode</source>
        <translation>Salir del modo quiosco</translation>
    </message>
</context>
</TS>
