"""Name pools for the fourth screening generator (``bench/screening_gen4.py``), written from general knowledge.

Written for issue 19 from the issue's text alone: nothing here was taken from FrontDesk's own name tables,
nickname groups or the other generators. The pools are the writer's own approximation of the communities of
US school districts; the order of each list is its rank (most common first), and ``gen4_people`` gives the
ranks Zipf weights and adds a long tail of rarer names built from each community's word parts, because in the
US about half of all people carry a surname outside the top thousand. No table was fetched.

Accented spellings are written as a list would print them; an ID (AAMVA cards print plain letters) drops them.
"""

from __future__ import annotations

# Each community: its share of the district's adults; surnames by rank and the Zipf exponent of their weights
# (chosen so the top name's share is near what the writer knows: Smith about 1.3% of the general pool, García
# about 2.5% of Hispanic people, Nguyen about 38% of Vietnamese, Kim about 20% of Korean); male and female
# given names by rank; the long tail's word parts (starts, ends) and the share of surnames drawn from it.
# An underscore joins the words of one name ("De_la_Cruz").
COMMUNITIES: dict[str, dict] = {
    "anglo": {
        "zipf": 0.5,
        "share": 0.40,
        "tail": 0.60,
        "surnames": """Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin
            Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green
            Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins
            Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox
            Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Myers Long Ross Foster Powell
            Jenkins Perry Russell Sullivan Fisher Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton
            Graham Wallace Hayes Bryant Griffin West Cole Ellis Stevens Murray Ford Marshall Owens McDonald
            Harrison Gibson Wells Tucker Porter Hunter Hicks Crawford Henry Boyd Mason Kennedy Warren Dixon Burns
            Gordon Shaw Holmes Rice Robertson Hunt Black Daniels Palmer Mills Nichols Grant Knight Ferguson
            Stone Hawkins Dunn Perkins Hudson Spencer Gardner Stephens Payne Pierce Berry Matthews Arnold Wagner
            Willis Watkins Olson Carroll Duncan Snyder Hart Cunningham Bradley Lane Andrews Harper Fox Riley
            Armstrong Carpenter Weaver Greene Lawrence Elliott Sims Austin Peters Kelley Franklin Lawson Fields
            Ryan Schmidt Carr Wheeler Chapman Oliver Montgomery Richards Williamson Johnston Banks Meyer Bishop
            McCoy Howell Morrison Hansen Harvey Little Burton Stanley Schneider Schultz Hoffman Becker Koch
            O'Brien O'Connor O'Neill McCarthy MacDonald McLaughlin Fitzgerald St._John Washington Jefferson
            Freeman Gaines Battle Mack Pugh Grimes Rainey Whitfield Boone Randolph Merritt""",
        "male": """James Robert John Michael William David Richard Joseph Thomas Charles Christopher Daniel
            Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald
            Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon
            Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Henry Adam
            Douglas Nathan Peter Zachary Kyle Walter Harold Jeremy Ethan Carl Keith Roger Gerald Christian
            Terry Sean Arthur Austin Noah Lawrence Jesse Joe Bryan Billy Jordan Albert Dylan Bruce Willie
            Gabriel Alan Juan Logan Wayne Ralph Roy Eugene Randy Vincent Russell Louis Philip Bobby Johnny
            Bradley DeShawn Tyrone Jamal Darnell Terrell Marquis Malik Andre Reginald Cedric Dwayne Lamar""",
        "female": """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
            Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Dorothy
            Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha
            Katherine Christine Helen Debra Rachel Carolyn Janet Maria Catherine Heather Diane Olivia Julie
            Joyce Victoria Ruth Virginia Lauren Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl
            Jacqueline Martha Madison Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice
            Judy Isabella Julia Grace Amber Denise Danielle Marilyn Beverly Charlotte Natalie Theresa Diana
            Brittany Doris Kayla Alexis Lori Marie Latoya Keisha Tamika Shanice Ebony Aaliyah Imani Zoë Chloë""",
        "starts": """Ash Brad Cald Crom Dal Elling Fair Gar Hal Hart Kirk Lang Mar Nor Pem Rad Shel Stan Thorn Wad
            Whit Win Ack Bur Cart Dray Eas Fen Gil Hol Kes Lind Mor Ost Pres Roth Sut Tal Up Ver Wes Yar Al Bar
            Chad Dun Ev Fel Grims Hux Ing Kel Lat Mid Nash Pax Quen Ros Sax Tib Wal Wick Brom Stow""",
        "ends": """ton ford well ley by wood field man son worth ham ridge dale more wick stead cott den hurst
            ing ell er low brook shaw combe bury land nell ock""",
    },
    "hispanic": {
        "zipf": 0.45,
        "share": 0.26,
        "tail": 0.30,
        "surnames": """García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores
            Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Chávez Mendoza Ruiz Álvarez Castillo
            Jiménez Moreno Romero Herrera Medina Aguilar Vargas Guzmán Castro Juárez Méndez Salazar Soto
            Vásquez Delgado Ortega Núñez Domínguez Guerrero Muñoz Rojas Contreras Luna Estrada Sandoval
            Figueroa Ríos Acosta Espinoza Vega Campos Silva Cortez Cabrera Fuentes Navarro Miranda Cervantes
            Mejía Solís Ibarra Valdez Maldonado Rosales Peña Ayala Velázquez Carrillo Padilla Orozco Zamora
            Trujillo Serrano Bautista Valencia Cardenas Escobar Marín Quintero Ochoa Bravo Salinas Villarreal
            Montoya Pacheco Arellano Lara Galindo Zúñiga Benítez Rangel Cisneros Barajas Ybarra Beltrán
            De_la_Cruz De_León De_la_Rosa Del_Valle De_Jesús Santos Dos_Santos Da_Silva""",
        "male": """José Juan Luis Carlos Jesús Antonio Miguel Francisco Jorge Alejandro Manuel Pedro Ricardo
            Javier Fernando Roberto Eduardo Rafael Daniel Mario Sergio Raúl Ramón Héctor Óscar Arturo Alberto
            Enrique Guillermo Armando Víctor Rubén Julio Martín Andrés Gerardo Ángel Gustavo Hugo Salvador
            Ignacio Joaquín Ernesto Alfredo Felipe Rodrigo Emilio Diego Esteban Alonso Cristian Edgar
            Iván Adrián Gabriel Marco Rogelio Santiago Mateo Leonardo Nicolás Tomás Agustín""",
        "female": """María Guadalupe Ana Rosa Carmen Juana Verónica Patricia Leticia Elizabeth Alejandra
            Gabriela Adriana Claudia Silvia Laura Sandra Margarita Teresa Martha Yolanda Araceli Lucía Isabel
            Daniela Sofía Valeria Fernanda Mariana Andrea Mónica Norma Blanca Esperanza Irma Josefina Luz
            Beatriz Elena Cristina Raquel Susana Diana Lorena Liliana Marisol Yesenia Graciela Angélica Ximena
            Paola Karina Esmeralda Rocío Inés Consuelo Dolores Pilar Socorro""",
        "starts": """Alva Bece Cala Cuel Echa Esca Garza Iba Lopa Mada Ola Oro Pala Quesa Rive Sala Sepú Tama
            Urbi Valde Villa Zara Ceba Alar Arre Bala Cano Dávi Fraga Iri Lame Mora Naje Pare Rome Tello Ugal""",
        "ends": """rra ra da ño nte lla gas cón ndo rez les gui bal zar ga sco tes nes""",
    },
    "vietnamese": {
        "zipf": 1.3,
        "share": 0.03,
        "tail": 0.02,
        "surnames": """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Lâm
            Mai Tạ Quách Lương Châu Cao Tô Đoàn Hà Vương""",
        "male": """Minh Tuấn Hùng Dũng Thanh Quang Hoàng Long Nam Khoa Phúc Hiếu Trung Đức Huy Bảo Việt Hải
            Thành Sơn Tâm Vinh Khang Tùng Phong Thắng Anh Cường Tài Lộc""",
        "female": """Linh Lan Hương Mai Thảo Trang Ngọc Hằng Thủy Phương Hạnh Thu Hoa Nhung Uyên Vy Trâm Yến
            Quỳnh Nga Chi Hà Thúy Oanh Diễm My Tuyết Liên Loan Kim""",
        "starts": "",
        "ends": "",
    },
    "chinese": {
        "zipf": 0.6,
        "share": 0.02,
        "tail": 0.05,
        "surnames": """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng
            Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei
            Su Lü Ding Ren Shen Lu Chan Wong Leung Cheung Lau Ng Chow Ho Lam Tsang""",
        "male": """Wei Jun Hao Lei Jie Tao Ming Qiang Yong Jian Bo Peng Yu Chao Hui Kai Xin Bin Chen Feng Long
            Hong Zhen Jiahao Zihan Haoran Yichen Zhiwei Jianguo Xiaoming""",
        "female": """Li Na Jing Ying Fang Min Yan Hong Xia Lan Mei Hui Juan Ling Ting Xue Qian Yun Jia Xiaoling
            Yuqing Xinyi Zihan Meiling Shuang Lihua Xiuying Yifan Ruoxi""",
        "starts": "",
        "ends": "",
    },
    "korean": {
        "zipf": 1.1,
        "share": 0.01,
        "tail": 0.02,
        "surnames": "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong",
        "male": """Min-jun Seo-jun Ji-hoon Hyun-woo Sung-min Jae-won Dong-hyun Young-ho Sang-woo Jin-woo Tae-yang
            Joon-ho Kyung-soo Seung-hyun Woo-jin""",
        "female": """Ji-yeon Seo-yeon Min-ji Eun-ji Hye-jin Su-jin Ji-woo Yoon-ah Soo-min Hyo-jin Da-eun
            Ye-jin Mi-kyung Young-mi Jung-hee""",
        "starts": "",
        "ends": "",
    },
    "filipino": {
        "zipf": 0.6,
        "share": 0.02,
        "tail": 0.25,
        "surnames": """Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Tomas Andrada Castillo Flores
            Villanueva Ramos Castro Rivera Aquino Navarro Salazar Mercado Dela_Cruz De_Guzman Delos_Santos
            Macaraeg Pangilinan Manalo Dizon Tolentino Soriano Lacson Dimaculangan Magbanua""",
        "male": """Jose Juan Mark John Michael Rommel Jun Ramon Roberto Eduardo Reynaldo Rodrigo Danilo Jericho
            Ferdinand Noel Arnel Joel Christian Paolo""",
        "female": """Maria Mary Grace Rosalie Maricel Jennifer Marites Lorna Rowena Cristina Analyn Kristine
            Jocelyn Marilou Divina Lea Josephine Imelda Luisa Angelica""",
        "starts": "Maca Pang Mana Dima Maga Tala Bala Sala Luma Cata Baga Duma",
        "ends": "raeg linan lo culangan banua ngan yag wan tay bay",
    },
    "polish": {
        "zipf": 0.6,
        "share": 0.02,
        "tail": 0.55,
        "surnames": """Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
            Woźniak Dąbrowski Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek
            Piotrowski Grabowski Zając Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Nowakowski Majewski
            Olszewski Jaworski Wróblewski Malinowski Pawlak Witkowski Walczak Stępień Górski Rutkowski Michalak""",
        "male": """Piotr Krzysztof Andrzej Tomasz Paweł Jan Michał Marcin Jakub Adam Łukasz Zbigniew Stanisław
            Marek Grzegorz Józef Tadeusz Rafał Wojciech Ryszard Mirosław Kazimierz Dariusz Henryk Władysław
            Bogdan Sławomir Przemysław Janusz Jerzy""",
        "female": """Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Magdalena Elżbieta Joanna
            Aleksandra Zofia Monika Teresa Danuta Natalia Karolina Marta Beata Dorota Halina Jadwiga Grażyna
            Bożena Urszula Renata Iwona Jolanta Wanda""",
        "starts": """Brzez Chmiel Dłu Grab Jasz Kacz Kra Kur Lesz Mar Mił Ols Pas Przy Rad Sob Szcz Tar Wil Wys
            Zaw Żuk Ciech Dziedz Głow Kwas Nied Rog Stróż Wierz""",
        "ends": "owski ewski iński ak czyk ek ewicz owicz ski cki czak",
    },
    "russian": {
        "zipf": 0.6,
        "share": 0.02,
        "tail": 0.50,
        "surnames": """Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov
            Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov
            Nikitin Zakharov Zaitsev Solovyov Borisov Yakovlev Grigoriev Romanov Vorobyov Shevchenko Kovalenko
            Bondarenko Tkachenko Kravchenko Melnyk Boyko Kovalchuk""",
        "male": """Aleksandr Sergei Dmitri Andrei Alexei Vladimir Nikolai Ivan Mikhail Yevgeny Igor Oleg Yuri
            Viktor Pavel Roman Maxim Artem Konstantin Vitaly Anatoly Denis Ruslan Bogdan Taras Oleksandr Mykola""",
        "female": """Elena Olga Natalia Tatiana Irina Svetlana Anna Maria Yulia Ekaterina Marina Galina Lyudmila
            Anastasia Oksana Viktoria Larisa Nadezhda Valentina Daria Ksenia Polina Alina Kateryna Halyna""",
        "starts": """Bel Vor Gorb Dem Zhar Kalin Kudr Lapt Medv Nekr Prokh Rud Sav Tikh Ust Filat Khar Chern Shal
            Yershov Bogd Gusl Dub Krasn Miron Pank""",
        "ends": "ov ev in enko uk ovich sky ykh",
    },
    "arabic": {
        "zipf": 0.6,
        "share": 0.02,
        "tail": 0.45,
        "surnames": """Ali Mohamed Ahmed Hassan Hussein Ibrahim Mahmoud Abdullah Khalil Saleh Mansour Haddad
            Nasser Youssef Salem Said Hamdan Farah Aziz Qureshi Al-Hassan Al-Amin El-Sayed Abu-Bakr Abdel-Rahman
            Al-Masri Al-Khatib El-Khoury Bin_Hamad Abdi Osman Warsame Jama Farah Nur Hirsi""",
        "male": """Mohammed Ahmed Ali Omar Mahmoud Khalid Youssef Hassan Hussein Ibrahim Abdullah Mustafa Karim
            Tariq Samir Bilal Hamza Yasin Faisal Nabil Rami Walid Ziad Adel Jamal Abdirahman Abdullahi Abdi""",
        "female": """Fatima Aisha Maryam Layla Noor Huda Amina Zainab Salma Yasmin Rania Hana Mona Samira Leila
            Nadia Dina Rasha Lina Hiba Sara Asma Iman Khadija Hodan Fadumo Halima Sahra""",
        "starts": "Al-Ja Al-Sha Abu-Za El-Ha Ka Ma Sa Ha Na Ta Za Ra Ba Qa Ja Da Fa Ga",
        "ends": "bari mdi rawi shid tiri zaki hiri wadi lani mouri sani ttar",
    },
    "southasian": {
        "zipf": 0.6,
        "share": 0.02,
        "tail": 0.35,
        "surnames": """Patel Singh Shah Kumar Sharma Gupta Reddy Rao Khan Desai Mehta Joshi Iyer Nair Chaudhry
            Malhotra Kapoor Agarwal Bhatt Pillai Menon Verma Mishra Banerjee Chatterjee Mukherjee Das Sinha""",
        "male": """Rahul Amit Raj Vijay Sanjay Anil Suresh Ramesh Rajesh Arjun Rohan Vikram Deepak Manoj Ravi
            Sunil Ashok Nikhil Pranav Aditya Krishna Harpreet Gurpreet Imran Faisal""",
        "female": """Priya Pooja Neha Anjali Sunita Kavita Deepa Anita Lakshmi Meera Divya Shreya Ananya Aarti
            Swati Rekha Geeta Nisha Ritu Simran Harleen Sana Ayesha""",
        "starts": "Bhan Chand Dhar Gop Jhaw Kul Madh Nand Pand Rath Sakh Thak Vasw Yad Bal Char Goy Kan",
        "ends": "dari wal kar war ani ala iya ekar endra",
    },
    "italian": {
        "zipf": 0.6,
        "share": 0.03,
        "tail": 0.50,
        "surnames": """Russo Romano Esposito Ricci Marino Greco Bruno Gallo Conti De_Luca Costa Giordano
            Mancini Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli
            Martini Leone Longo Gentile Martinelli Vitale Di_Giorgio Di_Napoli D'Angelo DiMaggio LaRosa
            Lo_Bianco Del_Vecchio""",
        "male": """Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore Carlo Paolo
            Domenico Michele Nicola Anthony Vincent Joseph Dominic Frank""",
        "female": """Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela Caterina Francesca Antonella
            Gina Rosemarie Theresa Angelina""",
        "starts": "Albe Bene Cara Ferr Giann Lomb Masc Pell Russ Salv Tosc Vacc Zucc Cappo Crist Fior Mont",
        "ends": "ini elli etti ucci one ino ano izzi olo ardi",
    },
    "west_european": {
        "zipf": 0.5,
        "share": 0.03,
        "tail": 0.40,
        "surnames": """Müller Schäfer Weiß Krüger Böhm Köhler Groß Fischer Becker Vogel Zimmermann van_der_Berg
            van_Dyke Van_Buren VanderMeer de_Vries Vanden_Bosch von_Braun Von_Holt du_Pont Le_Blanc LeClair
            De_Witt Dubois Lefèvre Girard Moreau Bélanger Gagné Côté Bouchard Tremblay Lévesque Ó_Briain""",
        "male": """Hans Klaus Jürgen Stefan Andreas Lukas Pieter Jan Willem Jean Pierre François Luc André
            René Jérôme Sébastien Étienne Noël""",
        "female": """Anke Sabine Ursula Jutta Katrin Annelies Ingrid Marieke Sophie Amélie Chloé Élise Hélène
            Céline Geneviève Renée Brigitte Zoë""",
        "starts": "Ber Dorn Eich Frei Hoch Kirch Lind Oster Rein Stein Wald Wein Zell Hout Kamp Veld",
        "ends": "mann er berg hof feld hardt mayer ke ink huis",
    },
    "east_african": {
        "zipf": 0.6,
        "share": 0.015,
        "tail": 0.35,
        "surnames": """Tesfaye Bekele Haile Alemu Getachew Tadesse Mengistu Girma Abebe Kebede Wolde Gebre
            Mohamud Hassan Ali Yusuf Adan Ahmed Okafor Okonkwo Adeyemi Mensah Boateng Owusu Diallo Traoré""",
        "male": """Abebe Dawit Tesfaye Yonas Samuel Biniam Mohamud Abdi Yusuf Chinedu Emeka Kwame Kofi Mamadou
            Ibrahima Oluwaseun""",
        "female": """Meron Hiwot Selam Tigist Bethlehem Sahra Hodan Amina Ngozi Chiamaka Adaeze Ama Akosua
            Fatoumata Aminata""",
        "starts": "Ade Oko Obi Nwa Teka Gebre Wolde Asfa Bira Dem",
        "ends": "yemi nkwo ma chukwu lu ssa ye kiros",
    },
}

# Nickname groups: the legal form first, then what people go by (a list written from an incident report
# records these; an ID gives the legal form).
NICKNAMES: dict[str, list[str]] = {
    "Robert": ["Bob", "Bobby", "Rob", "Robbie"],
    "William": ["Bill", "Billy", "Will", "Willie"],
    "Richard": ["Rick", "Dick", "Rich", "Ricky"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "John": ["Jack", "Johnny"],
    "Michael": ["Mike", "Mikey"],
    "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"],
    "Charles": ["Charlie", "Chuck"],
    "Christopher": ["Chris", "Topher"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"],
    "Anthony": ["Tony"],
    "Donald": ["Don", "Donnie"],
    "Steven": ["Steve"],
    "Stephen": ["Steve"],
    "Andrew": ["Andy", "Drew"],
    "Joshua": ["Josh"],
    "Kenneth": ["Ken", "Kenny"],
    "Timothy": ["Tim", "Timmy"],
    "Ronald": ["Ron", "Ronnie"],
    "Edward": ["Ed", "Eddie", "Ted"],
    "Jeffrey": ["Jeff"],
    "Jacob": ["Jake"],
    "Nicholas": ["Nick", "Nicky"],
    "Jonathan": ["Jon"],
    "Gregory": ["Greg"],
    "Alexander": ["Alex", "Xander"],
    "Samuel": ["Sam", "Sammy"],
    "Benjamin": ["Ben", "Benny"],
    "Patrick": ["Pat"],
    "Raymond": ["Ray"],
    "Gerald": ["Jerry"],
    "Lawrence": ["Larry"],
    "Douglas": ["Doug"],
    "Zachary": ["Zach"],
    "Walter": ["Walt"],
    "Harold": ["Harry", "Hal"],
    "Albert": ["Al", "Bert"],
    "Eugene": ["Gene"],
    "Vincent": ["Vince", "Vinny"],
    "Philip": ["Phil"],
    "Frank": ["Frankie"],
    "Reginald": ["Reggie"],
    "Mary": ["Molly", "Polly"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Jennifer": ["Jen", "Jenny"],
    "Elizabeth": ["Liz", "Beth", "Betsy", "Lizzie", "Eliza"],
    "Barbara": ["Barb", "Babs"],
    "Susan": ["Sue", "Susie"],
    "Jessica": ["Jess", "Jessie"],
    "Margaret": ["Maggie", "Peggy", "Meg", "Marge"],
    "Kimberly": ["Kim"],
    "Deborah": ["Debbie", "Deb"],
    "Stephanie": ["Steph"],
    "Rebecca": ["Becky", "Becca"],
    "Katherine": ["Kate", "Kathy", "Katie"],
    "Catherine": ["Cathy", "Cat"],
    "Kathleen": ["Kathy", "Kate"],
    "Christine": ["Chris", "Chrissy"],
    "Pamela": ["Pam"],
    "Samantha": ["Sam"],
    "Victoria": ["Vicky", "Tori"],
    "Judith": ["Judy"],
    "Abigail": ["Abby"],
    "Theresa": ["Terry", "Tess"],
    "Teresa": ["Terry", "Tere"],
    "Dorothy": ["Dot", "Dottie"],
    "Virginia": ["Ginny"],
    "Alexandra": ["Alex", "Sandra"],
    # Spanish hypocorisms.
    "José": ["Pepe", "Chepe"],
    "Francisco": ["Paco", "Pancho", "Frank"],
    "Jesús": ["Chuy", "Chucho"],
    "Guillermo": ["Memo", "Willy"],
    "Alejandro": ["Alex", "Ale"],
    "Roberto": ["Beto", "Tito"],
    "Alberto": ["Beto"],
    "Eduardo": ["Lalo", "Eddie"],
    "Enrique": ["Kike", "Quique"],
    "Ignacio": ["Nacho"],
    "Manuel": ["Manny", "Manolo"],
    "Rafael": ["Rafa"],
    "Antonio": ["Toño", "Tony"],
    "Guadalupe": ["Lupe", "Lupita"],
    "Dolores": ["Lola"],
    "Concepción": ["Concha", "Conchita"],
    "Rosario": ["Charo"],
    "Graciela": ["Chela"],
    "Consuelo": ["Chelo"],
    "Socorro": ["Coco"],
    "Soledad": ["Chole"],
    # Polish, Russian and Ukrainian diminutives.
    "Katarzyna": ["Kasia"],
    "Małgorzata": ["Gosia"],
    "Aleksandra": ["Ola"],
    "Władysław": ["Władek"],
    "Stanisław": ["Staszek"],
    "Wojciech": ["Wojtek"],
    "Zbigniew": ["Zbyszek"],
    "Grzegorz": ["Grzesiek"],
    "Aleksandr": ["Sasha", "Sanya"],
    "Dmitri": ["Dima"],
    "Vladimir": ["Volodya", "Vova"],
    "Mikhail": ["Misha"],
    "Nikolai": ["Kolya"],
    "Yevgeny": ["Zhenya"],
    "Ekaterina": ["Katya"],
    "Natalia": ["Natasha"],
    "Tatiana": ["Tanya"],
    "Svetlana": ["Sveta"],
    "Anastasia": ["Nastya"],
    "Oleksandr": ["Sasha"],
    # Italian, German, French.
    "Giuseppe": ["Peppe", "Joe"],
    "Giovanni": ["Gianni", "John"],
    "Salvatore": ["Sal", "Toto"],
    "Vincenzo": ["Enzo", "Vince"],
    "Domenico": ["Mimmo", "Dom"],
    "Johannes": ["Hans"],
    "Jean-Pierre": ["JP"],
    # Arabic: the short forms people go by in the US.
    "Mohammed": ["Mo", "Hamoudi"],
    "Abdullah": ["Abdu"],
    "Abdirahman": ["Abdi"],
    "Mustafa": ["Moose"],
}

# Spellings of the same sound: (pattern, replacement), tried in order on a name where the pattern occurs.
SOUND_RULES: list[tuple[str, str]] = [
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("y", "i"),
    ("i", "y"),
    ("ie", "y"),
    ("ey", "y"),
    ("son", "sen"),
    ("sen", "son"),
    ("z", "s"),
    ("s", "z"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("mm", "m"),
    ("rr", "r"),
    ("th", "t"),
    ("ow", "ou"),
    ("ei", "ie"),
    ("ae", "e"),
    ("v", "w"),
    ("w", "v"),
    ("x", "ks"),
    ("qu", "kw"),
    ("gh", "g"),
    ("ou", "u"),
    ("ai", "ay"),
]

# Spellings people and clerks use for the same name (both directions).
SOUND_VARIANTS: list[tuple[str, ...]] = [
    ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed"),
    ("Ahmed", "Ahmad"),
    ("Youssef", "Yousef", "Yusuf", "Yossef"),
    ("Hussein", "Husain", "Hussain"),
    ("Hassan", "Hasan"),
    ("Abdullah", "Abdalla", "Abdallah"),
    ("Catherine", "Kathryn", "Katharine", "Cathryn"),
    ("Steven", "Stephen", "Stevan"),
    ("Jeffrey", "Geoffrey", "Jeffery"),
    ("Sean", "Shawn", "Shaun"),
    ("Aleksandr", "Alexander", "Aleksander"),
    ("Sergei", "Sergey"),
    ("Dmitri", "Dmitry", "Dimitri"),
    ("Yuri", "Yury", "Iouri"),
    ("Tatiana", "Tatyana"),
    ("Natalia", "Natalya"),
    ("Yevgeny", "Evgeny", "Evgeniy"),
    ("Alexei", "Alexey", "Aleksei"),
    ("Andrei", "Andrey"),
    ("Nikolai", "Nikolay"),
    ("Vasiliev", "Vasilyev", "Vassiliev"),
    ("Solovyov", "Soloviev", "Solovyev"),
    ("Fedorov", "Fyodorov"),
    ("Schmidt", "Schmitt", "Smidt"),
    ("Meyer", "Meier", "Mayer", "Maier"),
    ("Nguyen", "Nguyin", "Nuyen"),
    ("Tran", "Trahn"),
    ("Huynh", "Huin"),
    ("Vasquez", "Vazquez", "Basquez"),
    ("Gonzalez", "Gonzales"),
    ("Hernandez", "Hernandes", "Fernandez"),
    ("Rodriguez", "Rodrigues"),
    ("Chavez", "Chaves"),
    ("Jimenez", "Gimenez", "Ximenez"),
    ("Cortez", "Cortes"),
    ("Espinoza", "Espinosa"),
    ("Ybarra", "Ibarra"),
    ("Valdez", "Valdes"),
    ("Mejia", "Mexia"),
    ("Zhou", "Chou", "Jou"),
    ("Chan", "Chen"),
    ("Wong", "Huang", "Hwang"),
    ("Lee", "Li", "Yi", "Rhee"),
    ("Park", "Pak", "Bak"),
    ("Choi", "Choe", "Chey"),
    ("Jung", "Chung", "Jeong"),
    ("Kowalski", "Kovalski", "Kowalsky"),
    ("Wojcik", "Voycik", "Woycik"),
    ("Shevchenko", "Schewtschenko", "Chevtchenko"),
    ("Tkachenko", "Tkatchenko"),
    ("Jamal", "Gamal"),
    ("Aisha", "Ayesha", "Aicha"),
    ("Fatima", "Fatma", "Fatimah"),
    ("Layla", "Leila", "Laila"),
    ("Zainab", "Zaynab", "Zeinab"),
    ("Maryam", "Mariam", "Meryem"),
    ("Khalid", "Khaled", "Halid"),
    ("Tariq", "Tarik", "Tareq"),
    ("Yasin", "Yaseen", "Yassin"),
]

# States a district near the home state sees on IDs, with shares; the rest come from farther away.
HOME_STATE = "NJ"
NEAR_STATES = ["NY", "PA", "DE", "CT", "MD"]
FAR_STATES = ["FL", "CA", "TX", "GA", "NC", "VA", "OH", "IL", "MA", "PR", "MI", "AZ"]
PASSPORT_COUNTRIES = ["MEX", "DOM", "COL", "SLV", "GTM", "VNM", "CHN", "IND", "PHL", "POL", "UKR", "EGY", "SOM"]
