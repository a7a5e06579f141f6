<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../kiosk_window.py" line="418"/>
        <location filename="../kiosk_window.py" line="422"/>
        <source>We could not read that. Please try again, or find your name.</source>
        <translation>No pudimos leerlo. Inténtelo de nuevo o busque su nombre.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="425"/>
        <source>Goodbye!</source>
        <translation>¡Adiós!</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="425"/>
        <source>You are checked out. Thank you for visiting.</source>
        <translation>Su salida quedó registrada. Gracias por su visita.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="445"/>
        <source>No match. Please see the front office.</source>
        <translation>No hay coincidencias. Por favor, pase a la oficina principal.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="489"/>
        <source>Hello, %1!</source>
        <translation>¡Hola, %1!</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="495"/>
        <source>What are you helping with today?</source>
        <translation>¿En qué va a ayudar hoy?</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="506"/>
        <source>Check in to see %1?</source>
        <translation>¿Registrar su entrada para ver a %1?</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="506"/>
        <source>Check in now?</source>
        <translation>¿Registrar su entrada ahora?</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="273"/>
        <location filename="../kiosk_window.py" line="508"/>
        <source>Check in</source>
        <translation>Registrar entrada</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="532"/>
        <source>Welcome, %1!</source>
        <translation>¡Bienvenido/a, %1!</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="533"/>
        <source>You are checked in. Please take your badge and wear it where it can be seen.</source>
        <translation>Su entrada quedó registrada. Tome su gafete y llévelo a la vista.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="549"/>
        <source>Your badge did not print. Please see the front office for your badge.</source>
        <translation>Su gafete no se imprimió. Pase a la oficina principal por su gafete.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="558"/>
        <source>Please see the front office.</source>
        <translation>Por favor, pase a la oficina principal.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="605"/>
        <source>Wrong name or PIN.</source>
        <translation>Nombre o PIN incorrecto.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="187"/>
        <source>Welcome</source>
        <translation>Bienvenidos</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="192"/>
        <source>Scan your ID, your badge or your guest code.</source>
        <translation>Escanee su identificación, su gafete o su código de invitado.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="197"/>
        <source>Or type your guest code here</source>
        <translation>O escriba aquí su código de invitado</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="199"/>
        <source>Guest code</source>
        <translation>Código de invitado</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="206"/>
        <source>Find my name</source>
        <translation>Buscar mi nombre</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="212"/>
        <source>Leaving? Scan your badge.</source>
        <translation>¿Se va? Escanee su gafete.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="216"/>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="225"/>
        <source>Type the first letters of your last name</source>
        <translation>Escriba las primeras letras de su apellido</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="229"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="238"/>
        <location filename="../kiosk_window.py" line="251"/>
        <location filename="../kiosk_window.py" line="276"/>
        <location filename="../kiosk_window.py" line="335"/>
        <source>Back</source>
        <translation>Volver</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="313"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="319"/>
        <source>Staff: sign in to leave kiosk mode</source>
        <translation>Personal: inicie sesión para salir del modo quiosco</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="322"/>
        <location filename="../kiosk_window.py" line="323"/>
        <source>Staff name</source>
        <translation>Nombre del personal</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="326"/>
        <location filename="../kiosk_window.py" line="327"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="333"/>
        <source>Leave kiosk mode</source>
        <translation>Salir del modo quiosco</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="416"/>
        <source>Leaving? Please scan your badge, or see the front office.</source>
        <translation>¿Se va? Escanee su gafete o pase a la oficina principal.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="600"/>
        <source>The kiosk cannot check that just now. Please try again in a minute.</source>
        <translation>El quiosco no puede comprobarlo en este momento. Vuelva a intentarlo en un minuto.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="607"/>
        <source>Too many wrong tries. Please ask the front office.</source>
        <translation>Demasiados intentos fallidos. Pregunte en la oficina principal.</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="258"/>
        <source>One more step</source>
        <translation>Un paso más</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="263"/>
        <source>Please type your date of birth to check in (month/day/year).</source>
        <translation>Escriba su fecha de nacimiento para registrar su entrada (mes/día/año).</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="268"/>
        <source>Your date of birth</source>
        <translation>Su fecha de nacimiento</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="267"/>
        <source>MM/DD/YYYY</source>
        <translation>MM/DD/AAAA</translation>
    </message>
    <message>
        <location filename="../kiosk_window.py" line="289"/>
        <source>Please type it as month/day/year, for example 04/27/1985.</source>
        <translation>Escríbala como mes/día/año, por ejemplo 04/27/1985.</translation>
    </message>
</context>
</TS>
