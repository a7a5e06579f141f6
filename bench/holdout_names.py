"""Name pools for the holdout screening benchmark, written independently of ``bench/screening_data.py``.

Frequencies are rough US shares (census surnames, SSA first names over the 1935-2008 birth cohorts): a few
very common names, a long tail, and a synthetic tail built from syllables so a million people carry tens of
thousands of distinct surnames. Nothing here is a real person's record.
"""

from __future__ import annotations

# Surnames with their approximate share of the US population, in per cent (2010 census order of magnitude).
SURNAME_SHARES = {
    "Smith": 0.83, "Johnson": 0.66, "Williams": 0.55, "Brown": 0.49, "Jones": 0.48, "Garcia": 0.39,
    "Miller": 0.39, "Davis": 0.38, "Rodriguez": 0.35, "Martinez": 0.35, "Hernandez": 0.34, "Lopez": 0.30,
    "Gonzalez": 0.28, "Wilson": 0.27, "Anderson": 0.27, "Thomas": 0.26, "Taylor": 0.25, "Moore": 0.24,
    "Jackson": 0.24, "Martin": 0.24, "Lee": 0.23, "Perez": 0.23, "Thompson": 0.23, "White": 0.23,
    "Harris": 0.21, "Sanchez": 0.21, "Clark": 0.19, "Ramirez": 0.19, "Lewis": 0.18, "Robinson": 0.18,
    "Walker": 0.17, "Young": 0.16, "Allen": 0.16, "King": 0.16, "Wright": 0.16, "Scott": 0.15,
    "Torres": 0.15, "Nguyen": 0.15, "Hill": 0.15, "Flores": 0.15, "Green": 0.15, "Adams": 0.14,
    "Nelson": 0.14, "Baker": 0.14, "Hall": 0.13, "Rivera": 0.13, "Campbell": 0.13, "Mitchell": 0.13,
    "Carter": 0.13, "Roberts": 0.13,
}  # fmt: skip

# The next few hundred surnames, most common first; their shares fall off from ~0.12% to ~0.01%.
SURNAMES_TAIL = """
Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks
Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez
Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald
Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd
Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan
Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins
Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios
Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin
Carlson Austin Dominguez Carr Lawson Jacobs OBrien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey
Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber
Welch Rojas Lucas Marquez Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia
Davidson Acosta Brewer May Holland Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro
Figueroa Keller Avila Wade Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda
Byrd Craig Ayala Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz
Norris Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt DeLeon Barker Terry
Hale Leon Hyde Benson Haynes Horton Miles Lyons Pham Graves Bush Thornton Wolfe Warner Cabrera McKinney Mann
Zimmerman Dawson Lara Fletcher Page McCarthy Love Robles Cervantes Solis Erickson Reeves Chang Klein Salinas
Fuentes Baldwin Daniel Simon Velasquez Hardy Higgins Aguirre Lin Cummings Chandler Sharp Barber Bowen Ochoa
Dennis Robbins Liu Ramsey Francis Griffith Paul Blair OConnor Cardenas Pacheco Cross Calderon Quinn Moss
Swanson Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales Stevenson Christensen Manning Gill Curry McLaughlin
Harmon McGee Gross Doyle Garner Newton Burgess Reese Walton Blake Trujillo Adkins Brady Goodman Roman Webster
Goodwin Fischer Huang Potter Delacruz Montoya Todd Wu Hines Mullins Castaneda Malone Cannon Tate Mack Sherman
Hubbard Hodges Zhang Guerra Wolf Valencia Saunders Franco Rowe Gallagher Farmer Hammond Hampton Townsend Ingram
Wise Gallegos Clarke Barton Schroeder Maxwell Waters Logan Camacho Strickland Norman Person Colon Parsons Frank
Harrington Glover Osborne Buchanan Casey Floyd Patton Ibarra Ball Tyler Suarez Bowers Orozco Salas Cobb Gibbs
Andrade Bauer Conner Moody Escobar McGuire Lloyd Mueller Hartman French Kramer McBride Pope Lindsey Velazquez
Norton McCormick Sparks Flynn Yates Hogan Marsh Macias Villanueva Zamora Pratt Stokes Owen Ballard Lang Brock
Villarreal Charles Drake Barrera Cain Patrick Pineda Burnett Mercado Santana Shepherd Bautista Ali Shaffer
Lamb Trevino McKenzie Hess Beal Olsen Cochran Morton Nash Wilkins Petersen Briggs Shah Roth Nicholson Holloway
Lozano Rangel Flowers Hoover Short Arias Mora Valenzuela Bryan Meyers Weiss Underwood Bass Greer Summers Houston
Carson Morrow Clayton Whitaker Decker Yoder Collier Zuniga Carey Wilcox Melendez Poole Roberson Larsen Conley
Davenport Copeland Massey Lam Huff Rocha Cameron Jefferson Hood Monroe Anthony Pittman Huynh Randall Singleton
Kirk Combs Mathis Christian Skinner Bradford Richard Galvan Wall Boone Kirby Wilkinson Bridges Bruce Atkinson
Velez Meza Roy Vincent York Hodge Villa Abbott Allison Tapia Gates Chase Sosa Sweeney Farrell Wyatt Dalton Horn
Barron Phelps Yu Dickerson Heath Foley Atkins Mathews Bonilla Acevedo Benitez Zavala Hensley Glenn Cisneros
Harrell Shields Rubio Huffman Choi Boyer Garrison Arroyo Bond Kane Hancock Callahan Dillon Cline Wiggins Grimes
Arellano Melton ONeill Savage Ho Beltran Pitts Parrish Ponce Rich Booth Koch Golden Ware Brennan McDowell Marks
Cantu Humphrey Baxter Sawyer Clay Tanner Hutchinson Kaur Berg Wiley Gilmore Russo Villegas Hobbs Keith Wilkerson
Ahmed Beard McClain Montes Mata Rosario Vang Walter Henson ONeal Mosley McClure Beasley Stephenson Snow Huerta
Preston Vance Barry Johns Eaton Blackwell Dyer Prince Macdonald Solomon Guevara Stafford English Hurst Woodard
Cortes Shannon Kemp Nolan McCullough Merritt Murillo Moon Salgado Strong Kline Cordova Barajas Roach Rosas
Winters Jacobson Lester Knox Bullock Kerr Leach Meadows Davila Orr Whitehead Pruitt Kent Conway McKee Barr
David Dejesus Marin Berger McIntyre Blankenship Gaines Palacios Cuevas Bartlett Durham Dorsey McCall ODonnell
Stein Browning Stout Lowery Sloan McLean Hendricks Calhoun Sexton Chung Gentry Hull Duarte Ellison Nielsen
Gillespie Buck Middleton Sellers Leblanc Esparza Hardin Bradshaw McIntosh Howe Livingston Frost Glass Morse
Knapp Herman Stark Bravo Noble Spears Weeks Corona Frederick Buckley McFarland Hebert Enriquez Hickman Quintero
Randolph Schaefer Walls Trejo House Reilly Pennington Michael Conrad Giles Benjamin Crosby Fitzpatrick Donovan
Mays Mahoney Valentine Raymond Medrano Hahn McMillan Small Bentley Felix Peck Lucero Boyle Hanna Pace Rush
Hurley Harding McConnell Bernal Nava Ayers Everett Ventura Avery Pugh Mayer Bender Shepard McMahon Landry Case
Sampson Moses Magana Blackburn Dunlap Gould Duffy Vaughan Herring McKay Espinosa Rivers Farley Bernard Ashley
Friedman Potts Truong Costa Correa Blevins Nixon Clements Fry Delarosa Best Benton Lugo Portillo Dougherty
Crane Haley Phan Villalobos Blanchard Horne Finley Quintana Lynn Esquivel Bean Dodson Mullen Xiong Hayden Cano
Levy Huber Richmond Moyer Lim Frye Sheppard McCarty Avalos Booker Waller Parra Woodward Jaramillo Krueger Rasmussen
Brandt Peralta Donaldson Stuart Faulkner Maynard Galindo Coffey Estes Sanford Burch Maddox Vo OConnell Vu
Andersen Spence McPherson Church Schmitt Stanton Leal Cherry Compton Dudley Sierra Pollard Alfaro Hester Proctor
Lu Hinton Novak Good Madden McCann Terrell Jarvis Dickson Reyna Cantrell Mayo Branch Hendrix Rollins Rowland
Whitney Duke Odom Daugherty Travis Tang Archer
"""

# Particle, Gaelic and compound surnames a million-person list carries; each weighs like a tail surname.
SURNAMES_PARTICLE = [
    "de la Cruz", "De La Rosa", "del Valle", "De Leon", "de los Santos", "Van der Berg", "van Dyke",
    "Van Buren", "Vanderbilt", "von Braun", "O'Neil", "O'Brien", "O'Connor", "O'Malley", "O'Donnell",
    "D'Angelo", "D'Souza", "De Luca", "Di Stefano", "DiMaggio", "McDonald", "McAllister", "MacArthur",
    "MacKenzie", "Mc Intyre", "St. John", "St. Clair", "Le Blanc", "LaFleur", "Du Pont", "da Silva",
    "Dos Santos", "ten Brink", "El-Amin", "Al-Hassan", "Abu Bakr", "Ben-David", "bin Rashid",
]  # fmt: skip

# Accented spellings a list may carry for a surname (IDs print them without accents).
ACCENTED_SURNAMES = {
    "Rodriguez": "Rodríguez", "Martinez": "Martínez", "Hernandez": "Hernández", "Lopez": "López",
    "Gonzalez": "González", "Perez": "Pérez", "Sanchez": "Sánchez", "Ramirez": "Ramírez", "Gomez": "Gómez",
    "Diaz": "Díaz", "Gutierrez": "Gutiérrez", "Alvarez": "Álvarez", "Jimenez": "Jiménez", "Fernandez": "Fernández",
    "Munoz": "Muñoz", "Pena": "Peña", "Nunez": "Núñez", "Vasquez": "Vásquez", "Ibarra": "Ibarra",
    "Mueller": "Müller", "Schroeder": "Schröder", "Dominguez": "Domínguez", "Marquez": "Márquez",
    "Velasquez": "Velásquez", "Suarez": "Suárez", "Juarez": "Juárez", "Benitez": "Benítez", "Leon": "León",
    "Rosario": "Rosário", "Hebert": "Hébert", "Castaneda": "Castañeda",
    "Ortiz": "Ortíz", "Beltran": "Beltrán", "Calderon": "Calderón", "Galvan": "Galván", "Colon": "Colón",
}  # fmt: skip

# Surnames that only appear accented (weight like tail surnames): the accent test must not lean on Spanish.
SURNAMES_ACCENTED_ONLY = [
    "Müller", "Schäfer", "Köhler", "Günther", "Dvořák", "Novák", "Wójcik", "Łukasik", "Çelik", "Şahin",
    "Öztürk", "Sjöberg", "Ødegaard", "Lefèvre", "Béranger", "Ibáñez", "Nuñez-Peña", "Brontë", "Nováková",
]  # fmt: skip

# First names by sex, most common first (tiered weights below); roughly SSA popularity across the cohorts.
MALE_FIRST = """
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Mark
Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary
Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick
Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah
Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy
Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason
Philip Louis Luis Carlos Miguel Antonio Manuel Francisco Jesus Alejandro Victor Marcus Darnell DeShawn Tyrone
Jamal Andre Terrence Reginald Cedric Darius Malik Hung Minh Wei Jian Hiroshi Kenji Raj Arjun Mohammed Omar Ali
Ahmed Ivan Dmitri Sergei Lars Sven Pierre Luca Giovanni Mateo Diego Rafael Ricardo Eduardo Javier Fernando
Angel Raul Ramon Joaquin Efrain Rene Noel Bjorn Soren Francois Jerome Lukasz Theodore Alfred Frederick Leonard
Stanley Herbert Clarence Chester Lloyd Marvin Vernon Leroy Curtis Calvin Dale Glenn Howard Norman Dean
"""

FEMALE_FIRST = """
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Margaret Betty Sandra
Ashley Dorothy Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Laura Sharon
Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda Pamela Nicole Samantha Katherine Emma Ruth Christine
Catherine Debra Rachel Carolyn Janet Virginia Maria Heather Diane Julie Joyce Victoria Kelly Christina Joan
Evelyn Lauren Judith Olivia Frances Martha Cheryl Megan Andrea Hannah Jacqueline Ann Jean Alice Kathryn
Gloria Teresa Doris Sara Janice Julia Marie Madison Grace Judy Theresa Beverly Denise Marilyn Amber Danielle
Abigail Brittany Rose Diana Natalie Sophia Alexis Lori Kayla Jane Tiffany Kathy Peggy Suzanne Sue Vanessa
Alexandra Sabrina Tamika Latoya Keisha Ebony Shanice Aaliyah Imani Jasmine Precious Ngoc Mai Lan Mei Yuki
Keiko Priya Anjali Fatima Aisha Leila Olga Svetlana Ingrid Astrid Giulia Francesca Guadalupe Rosa Carmen
Juana Lucia Sofia Isabel Ines Dolores Consuelo Yolanda Zoe Chloe Renee Noelle Agnes Edna Mildred Gladys
Ethel Florence Irene Lillian Louise Norma Phyllis Lois Marjorie Geraldine Wanda Bonnie Elaine Jo Maureen
"""

# First names that a list or an ID may print with their accents.
ACCENTED_FIRST = {
    "Jose": "José", "Maria": "María", "Zoe": "Zoë", "Chloe": "Chloé", "Renee": "Renée", "Andre": "André",
    "Ines": "Inés", "Raul": "Raúl", "Jesus": "Jesús", "Ramon": "Ramón", "Joaquin": "Joaquín", "Sofia": "Sofía",
    "Lucia": "Lucía", "Bjorn": "Björn", "Soren": "Søren", "Francois": "François", "Jerome": "Jérôme",
    "Noel": "Noël", "Lukasz": "Łukasz", "Angel": "Ángel", "Efrain": "Efraín", "Noelle": "Noëlle",
    "Agnes": "Agnès", "Rene": "René",
}  # fmt: skip

# Formal name -> its diminutives and nicknames (my own table; a nickname may belong to several formals).
NICKNAMES_TEXT = """
Robert: Bob Bobby Rob Robbie Bert
William: Bill Billy Will Willie Liam
James: Jim Jimmy Jamie
John: Jack Johnny
Jonathan: Jon Jonny
Michael: Mike Mikey Mick
David: Dave Davey
Richard: Dick Rick Rich Richie
Joseph: Joe Joey
Thomas: Tom Tommy
Charles: Chuck Charlie Chaz
Christopher: Chris Topher
Daniel: Dan Danny
Matthew: Matt
Anthony: Tony
Donald: Don Donnie
Steven: Steve
Stephen: Steve Stevie
Andrew: Andy Drew
Joshua: Josh
Kenneth: Ken Kenny
Timothy: Tim Timmy
Ronald: Ron Ronnie
Edward: Ed Eddie Ted
Theodore: Ted Teddy Theo
Jeffrey: Jeff
Jacob: Jake
Nicholas: Nick
Gregory: Greg
Alexander: Alex Sasha
Patrick: Pat
Raymond: Ray
Gerald: Jerry
Lawrence: Larry
Henry: Hank Harry
Harold: Harry Hal
Albert: Al Bert
Frederick: Fred Freddie
Alfred: Al Alfie
Leonard: Len Lenny Leo
Stanley: Stan
Herbert: Herb Bert
Chester: Chet
Vincent: Vince Vinny
Samuel: Sam Sammy
Benjamin: Ben Benny
Zachary: Zach Zack
Nathan: Nate
Peter: Pete
Walter: Walt Wally
Eugene: Gene
Russell: Russ
Philip: Phil
Louis: Lou
Jose: Pepe
Francisco: Paco Pancho
Jesus: Chuy
Manuel: Manny
Elizabeth: Liz Beth Betty Betsy Libby Eliza Lisa
Margaret: Peggy Maggie Meg Marge Greta
Katherine: Kate Katie Kathy Kat Kitty
Catherine: Cathy Cat Kate
Patricia: Patty Trish Tricia Pat
Jennifer: Jenny Jen
Alexandra: Sandy Lexi Alex
Sandra: Sandy Sandi
Susan: Sue Susie
Jessica: Jess Jessie
Deborah: Debbie Deb
Rebecca: Becky Becca
Cynthia: Cindy
Amanda: Mandy
Melissa: Missy Mel
Stephanie: Steph
Kimberly: Kim
Pamela: Pam
Samantha: Sam Sammie
Victoria: Vicky Tori
Christine: Chrissy
Christina: Tina Chrissy
Anna: Annie
Nancy: Nan
Dorothy: Dot Dottie Dolly
Judith: Judy
Theresa: Terry Tess
Frances: Fran Frannie
Virginia: Ginny
Jacqueline: Jackie
Abigail: Abby
Mildred: Millie
Helen: Nellie
Lillian: Lily
Beverly: Bev
Isabel: Izzy Bella
Consuelo: Connie
Dolores: Lola
Guadalupe: Lupe
"""

# Nickname -> the formal names it stands for.
NICKNAMES: dict[str, tuple[str, ...]] = {}
for _line in NICKNAMES_TEXT.strip().splitlines():
    _formal, _nicks = _line.split(":")
    for _nick in _nicks.split():
        NICKNAMES[_nick] = (*NICKNAMES.get(_nick, ()), _formal)

# Spelling variants that sound the same: my own pairs, applied both ways.
SOUND_ALIKE = [
    ("Smith", "Smyth"), ("Johnson", "Jonson"), ("Phillips", "Philips"), ("Thompson", "Thomson"),
    ("Reed", "Reid"), ("Clark", "Clarke"), ("Gray", "Grey"), ("Myers", "Meyers"), ("Meyer", "Maier"),
    ("Schmidt", "Schmitt"), ("Peterson", "Petersen"), ("Anderson", "Andersen"), ("Hansen", "Hanson"),
    ("Nielsen", "Nielson"), ("Stephens", "Stevens"), ("Stephenson", "Stevenson"), ("Brown", "Browne"),
    ("Green", "Greene"), ("Cook", "Cooke"), ("Wood", "Woods"), ("Lee", "Leigh"), ("Fischer", "Fisher"),
    ("Mathews", "Matthews"), ("Mathis", "Mathes"), ("Nicholson", "Nicolson"), ("Rogers", "Rodgers"),
    ("Vasquez", "Vazquez"), ("Velasquez", "Velazquez"), ("Gonzales", "Gonzalez"), ("Chavez", "Chavis"),
    ("Catherine", "Kathryn"), ("Katherine", "Catherine"), ("Kathryn", "Katharine"), ("Stephen", "Steven"),
    ("Jeffrey", "Geoffrey"), ("Sean", "Shawn"), ("Ann", "Anne"), ("Carl", "Karl"), ("Eric", "Erik"),
    ("Brian", "Bryan"), ("Philip", "Phillip"), ("Jon", "John"), ("Sara", "Sarah"), ("Rebecca", "Rebekah"),
    ("Teresa", "Theresa"), ("Marc", "Mark"), ("Allan", "Alan"), ("Allen", "Alan"), ("Lindsey", "Lindsay"),
    ("Kristen", "Kirsten"), ("Christina", "Kristina"), ("Nicole", "Nichole"), ("Cheryl", "Sheryl"),
    ("Kaitlyn", "Caitlin"), ("Mohammed", "Muhammad"), ("Muhammad", "Mohamed"), ("Ahmed", "Ahmad"),
    ("Yusuf", "Youssef"), ("Dmitri", "Dmitry"), ("Sergei", "Sergey"), ("Olga", "Olha"), ("Aisha", "Ayesha"),
    ("Tyrone", "Tyron"), ("Darnell", "Darnel"), ("Jamal", "Jamaal"), ("Malik", "Malique"),
    ("Khan", "Kahn"), ("Huang", "Hwang"), ("Chen", "Chan"), ("Xiong", "Shiong"), ("Lynn", "Lynne"),
    ("Jeanette", "Janet"), ("Marilyn", "Marylin"), ("Carolyn", "Caroline"), ("Elisabeth", "Elizabeth"),
]  # fmt: skip

# Syllables of the synthetic surname tail, by style: prefixes x joiners x endings give tens of thousands.
SYNTH_SURNAME_STYLES = [
    (
        "Ash Black Brad Brook Bur Cald Carl Chad Clay Craw Dal Dar Dun Eld Fair Farn Fen Gold Grant Hal Ham Har "
        "Hart Hay Hol Hud Kel Ken Kirk Lang Lind Lock Mar Mid Mil Mor New Nor Oak Pem Ram Red Rid Rock Rush Sand "
        "Shel Stan Stock Strat Sum Thorn Tre Wal War West Whit Win Wood Brom Cran Elm Gar Kings Led Pen Ship Tal",
        ["", "s", "en", "er", "ing", "ing"],
        "ton ford ley field worth wood more by well ham stead brook wick bury man son ridge dale hurst land sley "
        "combe ly ster",
    ),
    (
        "Kow Now Wis Zaj Kral Nov Pet Jan Kos Pol Dub Hor Sob Wol Lew Kam Szym Grab Bar Kul Mak Pav Yur Sem Bor "
        "Dan Vas Mik Rad Tk Mal Ziel Krz Ba Go Sta Ly",
        ["", "al", "ar", "el", "an", "ol"],
        "ski ska ak ek owicz ovich enko czyk ovic in ov iak uk ko",
    ),
    (
        "Alt Berg Eck Fal Holz Kirch Lich Mein Ober Rein Roth Schn Stein Wein Zim Hel Kl Brandt Feld Gross Lind",
        ["", "en", "er", "el"],
        "sen son mann berg stein feld hardt ler inger haus bach",
    ),
    (
        "Ber Cap Fer Gal Lom Mar Ner Pel Ric Ross Sal Tor Ven Bon Cas Del Fal Gar Mon Pag Ser Vit",
        ["", "ar", "an", "ell", "ett"],
        "elli etti ini one ucci ano ino esi otti aro",
    ),
    (
        "Al Bal Cam Car Cor Es Gal Her Ib Lar Mal Mar Nar Ol Pal Quir Rod Sal Sot Val Zam Bel Cas Ech",
        ["", "ar", "and", "err", "ad"],
        "ez es ado ero illa on eda uga",
    ),
    (
        "Ya Ta Na Ka Mo Hi Ma Su Fu Ku Sa To I Ao Ki Ha Mi No",
        ["", "ma", "ka", "ku", "ta"],
        "mada naka moto shita mura kawa saki hara no da zawa guchi",
    ),
    (
        "Ade Olu Oke Nwa Mba Ogun Chi Eze Obi Ako Ade Uche Ife Asa Kwa",
        ["", "n", "ku", "ba"],
        "yemi wale nkwo nde kwu ju for bayo ola ike mba ogu",
    ),
    (
        "Rah Hus Kar Sha Ras Pat Des Kum Red Nai Mal Sid Chaud Bhat Ir Ka Ba Qur",
        ["", "a", "i", "u"],
        "man sain im rma id el pande ar dy du hri shi ani",
    ),
]

# Syllables of a synthetic first-name tail (Kaylyn, Jaden, Brisha ...), for the rarer given names.
SYNTH_FIRST_HEADS = "Ja Ka Bri Ma Da Ty Ta La Sha Ke Ra Ni Jo Ry Ay Ze Ai Ca Le Mi Ko Tre De Jay Ash Bra Kai"
SYNTH_FIRST_TAILS = "den lyn ya son ley na ra cia vion rell mir lani ric quan nae dyn ton lee nah ari"
